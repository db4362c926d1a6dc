using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Prison.Modules.Tests;

/// <summary>One log record, kept as text only: holding the state or exception objects of a plugin would keep it alive.</summary>
public sealed record LogRecord(string Category, LogLevel Level, string? EventName, string? Jid, string Message);

/// <summary>A logger provider that records every message, so tests can count a module's callbacks after it is gone.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<LogRecord> _records = new();

    public IReadOnlyList<LogRecord> Records => _records.ToArray();

    public ILogger CreateLogger(string categoryName) => new CapturingLogger(categoryName, _records);

    public void Dispose() { }

    private sealed class CapturingLogger(string category, ConcurrentQueue<LogRecord> records) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            string? jid = null;
            if (state is IReadOnlyList<KeyValuePair<string, object?>> values)
                jid = values.FirstOrDefault(v => v.Key == "Jid").Value?.ToString();
            var message = formatter(state, exception) + (exception is null ? "" : " | " + exception.GetType().Name + ": " + exception.Message);
            records.Enqueue(new LogRecord(category, logLevel, eventId.Name, jid, message));
        }
    }
}
