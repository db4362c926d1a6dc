using BenchmarkDotNet.Attributes;
using Prison.Benchmarks.Infrastructure;
using Prison.Core;

namespace Prison.Benchmarks;

/// <summary>
/// kldload + kldunload of the sysvshm plugin from its file: a new collectible load context each time,
/// the module's registrations made and undone, and the unload verified (the context must be collected,
/// which costs full garbage collections). GlobalCleanup tops the cycles up to 1000 and prints the
/// managed heap before and after, which must stay flat.
/// </summary>
[MemoryDiagnoser]
public class ModuleCycleBenchmarks
{
    private const int CyclesForHeapCheck = 1000;
    private Kernel _kernel = null!;
    private long _heapBefore;
    private int _cycles;

    [GlobalSetup]
    public void Setup()
    {
        _kernel = new Kernel(new KernelOptions { ModulePath = PluginFolder.Path });
        // One cycle first so the heap baseline includes what a first load caches (type loader, file probes).
        LoadAndUnload();
        _heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        _cycles = 0;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        while (_cycles < CyclesForHeapCheck)
            LoadAndUnload();
        var after = GC.GetTotalMemory(forceFullCollection: true);
        var leaked = _kernel.Modules.List().Count(m => m.State == Prison.Core.Modules.ModuleState.Leaked);
        Console.WriteLine($"// kldload+kldunload sysvshm: managed heap {_heapBefore / 1024.0:0.0} KiB before, {after / 1024.0:0.0} KiB after {_cycles} cycles "
            + $"({(after - _heapBefore) / 1024.0:+0.0;-0.0} KiB); leaked load contexts: {leaked}");
        _kernel.Dispose();
    }

    [Benchmark]
    public void LoadAndUnload()
    {
        var cred = _kernel.Init.Cred;
        var load = _kernel.Modules.Load(cred, "sysvshm");
        if (!load.Ok)
            throw new InvalidOperationException("kldload: " + load);
        var unload = _kernel.Modules.Unload(cred, "sysvshm");
        if (!unload.Ok)
            throw new InvalidOperationException("kldunload: " + unload);
        _cycles++;
    }
}
