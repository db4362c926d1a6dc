using BenchmarkDotNet.Attributes;
using Prison.Core;
using Prison.Core.Jails;
using Prison.Core.Services;

namespace Prison.Benchmarks;

/// <summary>
/// Registering (and deregistering) a service over N existing jails: the KPI's cost per jail beyond
/// the callbacks, which do nothing here. Divide the mean by N for the per-jail figure (target: 200 ns).
/// The baseline walks the same jails calling an empty delegate: the floor for "visit every jail".
/// </summary>
[MemoryDiagnoser]
public class RegistrationBenchmarks
{
    private Kernel _kernel = null!;
    private Jail[] _jails = [];
    private static readonly object Token = new();

    [Params(1_000, 10_000, 100_000)]
    public int Jails { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _kernel = new Kernel();
        var p = new JailParams { ["persist"] = null };
        for (var i = 0; i < Jails; i++)
            _kernel.Jails.Syscalls.Set(_kernel.Init, p, JailFlags.Create);
        _jails = [.. _kernel.Jails.List(_kernel.Prison0)];
    }

    [GlobalCleanup]
    public void Cleanup() => _kernel.Dispose();

    [Benchmark(Baseline = true)]
    public int VisitEveryJail()
    {
        var n = 0;
        Func<Jail, object> create = _ => Token;
        foreach (var j in _jails)
            n += create(j) is null ? 0 : 1;
        return n;
    }

    [Benchmark]
    public void RegisterAndDeregister()
    {
        var slot = _kernel.Services.Register(new JailServiceDefinition<object> { Name = "bench", Create = (_, _) => Token, Destroy = (_, _) => { } });
        slot.Deregister();
    }
}
