using BenchmarkDotNet.Attributes;
using Prison.Benchmarks.Infrastructure;
using Prison.Core;
using Prison.Core.Jails;

namespace Prison.Benchmarks;

/// <summary>
/// Memory per jail at 100,000 jails, with no module or with the four plugins loaded (sysvshm, sysvsem,
/// sysvmsg, zfs: four services). GlobalSetup creates the jails and prints the retained managed heap per
/// jail (GC.GetTotalMemory delta / jails); the benchmark creates and removes one more jail on top of
/// them, and MemoryDiagnoser reports the bytes that allocates.
/// </summary>
[MemoryDiagnoser]
public class JailMemoryBenchmarks
{
    private static readonly string[] Plugins = ["sysvshm", "sysvsem", "sysvmsg", "zfs"];
    private Kernel _kernel = null!;
    private JailParams _params = null!;

    [Params(0, 4)]
    public int Services { get; set; }

    /// <summary>100,000 unless PRISON_BENCH_MAX_JAILS caps it.</summary>
    [ParamsSource(nameof(JailCountValues))]
    public int Jails { get; set; }

    public static IEnumerable<int> JailCountValues() => JailCounts.UpTo(100_000);

    [GlobalSetup]
    public void Setup()
    {
        _kernel = new Kernel(new KernelOptions { ModulePath = PluginFolder.Path });
        foreach (var m in Plugins.Take(Services))
        {
            var r = _kernel.Modules.Load(_kernel.Init.Cred, m);
            if (!r.Ok)
                throw new InvalidOperationException($"kldload {m}: {r}");
        }
        _params = Services == 0
            ? new JailParams { ["persist"] = null }
            : new JailParams { ["persist"] = null, ["sysvshm"] = "new", ["sysvsem"] = "new", ["sysvmsg"] = "new" };
        var before = GC.GetTotalMemory(forceFullCollection: true);
        for (var i = 0; i < Jails; i++)
        {
            var r = _kernel.Syscalls.JailSet(_kernel.Init, _params, JailFlags.Create);
            if (!r.Ok)
                throw new InvalidOperationException($"jail #{i}: {r}");
        }
        var after = GC.GetTotalMemory(forceFullCollection: true);
        Console.WriteLine($"// {Jails} jails with {Services} services: {(after - before) / (double)Jails:0} bytes of managed heap retained per jail");
    }

    [GlobalCleanup]
    public void Cleanup() => _kernel.Dispose();

    [Benchmark]
    public void CreateAndRemoveOnTop()
    {
        var jid = _kernel.Syscalls.JailSet(_kernel.Init, _params, JailFlags.Create).Value;
        _kernel.Syscalls.JailRemove(_kernel.Init, jid);
    }
}
