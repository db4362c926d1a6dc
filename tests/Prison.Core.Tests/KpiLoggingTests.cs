using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Prison.Core.Tests;

public class KpiLoggingTests
{
    [Fact]
    public void Kpi_events_are_logged_at_debug_with_structured_fields_and_failures_at_warning()
    {
        var sink = new ListLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Debug).AddProvider(sink));
        using var k = new Kernel(new KernelOptions { LoggerFactory = factory });
        var j = k.Create("a");
        var slot = k.Services.Register(new Services.JailServiceDefinition<object>
        {
            Name = "svc",
            Create = (jail, p) => p is not null ? throw new InvalidOperationException("no") : new object(),
            Destroy = (_, _) => { },
        });
        Assert.False(k.TryCreate(k.Init, ("name", "b"), ("persist", null)).Ok);
        slot.Deregister();

        var kpi = sink.Entries.Where(e => e.Category == "Prison.Kpi").ToList();
        Assert.Contains(kpi, e => e.Level == LogLevel.Debug && e.Message == $"create svc for existing jail {j.Id}"
            && e.State.Any(kv => kv.Key == "Service" && (string?)kv.Value == "svc"));
        Assert.Contains(kpi, e => e.Level == LogLevel.Warning && e.Message.StartsWith("create svc failed for new jail", StringComparison.Ordinal));
        Assert.Contains(kpi, e => e.Level == LogLevel.Debug && e.Message == $"destroy svc for jail {j.Id}");
        Assert.Contains(kpi, e => e.Message == "service svc deregistered from slot 0");
    }

    private sealed record Entry(string Category, LogLevel Level, string Message, IReadOnlyList<KeyValuePair<string, object?>> State);

    private sealed class ListLoggerProvider : ILoggerProvider
    {
        public ConcurrentQueue<Entry> Entries { get; } = new();

        public ILogger CreateLogger(string categoryName) => new ListLogger(this, categoryName);

        public void Dispose() { }

        private sealed class ListLogger(ListLoggerProvider owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                owner.Entries.Enqueue(new Entry(category, logLevel, formatter(state, exception),
                    state as IReadOnlyList<KeyValuePair<string, object?>> ?? []));
        }
    }
}
