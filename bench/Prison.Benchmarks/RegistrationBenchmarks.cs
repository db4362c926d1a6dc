using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Prison.Benchmarks.Infrastructure;
using Prison.Core;
using Prison.Core.Jails;
using Prison.Core.Services;

namespace Prison.Benchmarks;

/// <summary>
/// Registering (and deregistering) a service over N existing jails: the KPI's cost per jail beyond
/// the callbacks, which do nothing here. The baseline walks the same jails calling the same two
/// trivial delegates (create, then destroy): the floor for "visit every jail". The columns
/// "ns/Jails" and "ns/Jails over baseline" give the per-jail figures (target: 200 ns over baseline).
/// </summary>
/// <remarks>
/// <see cref="OtherServices"/> = 0 is the first service of an empty kernel: every jail gets its slot array
/// at registration and loses it at deregistration (no service, no memory). With 1, another service is
/// registered throughout (a kernel with a module loaded), so the jails' arrays, which have headroom, stay.
/// </remarks>
[MemoryDiagnoser]
[Config(typeof(Config))]
public class RegistrationBenchmarks
{
    private Kernel _kernel = null!;
    private Jail[] _jails = [];
    private static readonly object Token = new();

    [ParamsSource(nameof(JailCountValues))]
    public int Jails { get; set; }

    public static IEnumerable<int> JailCountValues() => JailCounts.UpTo(1_000, 10_000, 100_000);

    /// <summary>How many other services stay registered during the measurement (0 or 1).</summary>
    [Params(0, 1)]
    public int OtherServices { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _kernel = new Kernel();
        var p = new JailParams { ["persist"] = null };
        for (var i = 0; i < Jails; i++)
            _kernel.Syscalls.JailSet(_kernel.Init, p, JailFlags.Create);
        _jails = [.. _kernel.Jails.List(_kernel.Prison0)];
        for (var i = 0; i < OtherServices; i++)
            _kernel.Services.Register(new JailServiceDefinition<object> { Name = "other" + i, Create = (_, _) => Token });
    }

    [GlobalCleanup]
    public void Cleanup() => _kernel.Dispose();

    [Benchmark(Baseline = true)]
    public int VisitEveryJail()
    {
        var n = 0;
        ServiceCreate<object> create = (_, _) => Token;
        ServiceDestroy<object> destroy = (_, _) => { };
        foreach (var j in _jails)
        {
            var value = create(j, null);
            n += value is null ? 0 : 1;
            destroy(j, value);
        }
        return n;
    }

    [Benchmark]
    public void RegisterAndDeregister()
    {
        var slot = _kernel.Services.Register(new JailServiceDefinition<object> { Name = "bench", Create = (_, _) => Token, Destroy = (_, _) => { } });
        slot.Deregister();
    }

    private sealed class Config : ManualConfig
    {
        public Config()
        {
            AddColumn(new PerParameterColumn(nameof(Jails), beyondBaseline: false));
            AddColumn(new PerParameterColumn(nameof(Jails), beyondBaseline: true));
        }
    }
}
