using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Prison.Modules.Tests;

/// <summary>One log record, kept as text only: holding the state or exception objects of a plugin would keep it alive.</summary>
public sealed record LogRecord(string Category, LogLevel Level, string? EventName, string? Jid, string Message);

/// <summary>
/// A logger provider that records every message (or, with <c>keepRecords: false</c>, only counts them by
/// event name, so long runs do not grow the heap), so tests can count a module's callbacks after it is gone.
/// </summary>
public sealed class CapturingLoggerProvider(bool keepRecords = true) : ILoggerProvider
{
    private readonly ConcurrentQueue<LogRecord> _records = new();
    private readonly ConcurrentDictionary<string, int> _eventCounts = new(StringComparer.Ordinal);

    public IReadOnlyList<LogRecord> Records => _records.ToArray();

    public bool KeepRecords { get; } = keepRecords;

    /// <summary>How many records carried the event name <paramref name="eventName"/>.</summary>
    public int EventCount(string eventName) => _eventCounts.TryGetValue(eventName, out var n) ? n : 0;

    public ILogger CreateLogger(string categoryName) => new CapturingLogger(categoryName, this);

    public void Dispose() { }

    private sealed class CapturingLogger(string category, CapturingLoggerProvider owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (eventId.Name is { } name)
                owner._eventCounts.AddOrUpdate(name, 1, static (_, n) => n + 1);
            if (!owner.KeepRecords)
                return;
            string? jid = null;
            if (state is IReadOnlyList<KeyValuePair<string, object?>> values)
                jid = values.FirstOrDefault(v => v.Key == "Jid").Value?.ToString();
            var message = formatter(state, exception) + (exception is null ? "" : " | " + exception.GetType().Name + ": " + exception.Message);
            owner._records.Enqueue(new LogRecord(category, logLevel, eventId.Name, jid, message));
        }
    }
}
