using Microsoft.Extensions.Logging;

namespace Prison.Cli;

/// <summary>
/// Writes log lines to a <see cref="TextWriter"/> (standard error) synchronously, so a kernel event
/// (a service's create callback, a module load) shows up right where the command that caused it runs.
/// The stock console logger writes from a background queue and would print them out of order.
/// </summary>
internal sealed class TextWriterLoggerProvider(TextWriter writer) : ILoggerProvider
{
    // Protects writer: kernel threads may log concurrently.
    private readonly Lock _lock = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose() { }

    private void Write(LogLevel level, string category, string message, Exception? exception)
    {
        var tag = level switch
        {
            LogLevel.Trace => "trce",
            LogLevel.Debug => "dbug",
            LogLevel.Information => "info",
            LogLevel.Warning => "warn",
            LogLevel.Error => "fail",
            _ => "crit",
        };
        lock (_lock)
        {
            writer.WriteLine($"{tag}: {category}: {message}");
            if (exception is not null)
                writer.WriteLine($"      {exception.GetType().Name}: {exception.Message}");
        }
    }

    private sealed class Logger(TextWriterLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
                provider.Write(logLevel, category, formatter(state, exception), exception);
        }
    }
}
