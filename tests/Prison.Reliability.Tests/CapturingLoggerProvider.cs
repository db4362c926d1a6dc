using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Prison.Reliability.Tests;

/// <summary>One log record, kept as text only (holding a plugin's objects would keep it alive).</summary>
public sealed record LogRecord(string Category, LogLevel Level, string Message);

/// <summary>Records every log message so tests can check what the kernel reported.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<LogRecord> _records = new();

    /// <summary>Records at <paramref name="minimum"/> or above only, so long stress runs stay small.</summary>
    public CapturingLoggerProvider(LogLevel minimum = LogLevel.Trace) => Minimum = minimum;

    public LogLevel Minimum { get; }

    public IReadOnlyList<LogRecord> Records => _records.ToArray();

    public ILogger CreateLogger(string categoryName) => new CapturingLogger(categoryName, this);

    public void Dispose() { }

    private sealed class CapturingLogger(string category, CapturingLoggerProvider owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= owner.Minimum;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
                return;
            var message = formatter(state, exception) + (exception is null ? "" : " | " + exception.GetType().Name + ": " + exception.Message);
            owner._records.Enqueue(new LogRecord(category, logLevel, message));
        }
    }
}
