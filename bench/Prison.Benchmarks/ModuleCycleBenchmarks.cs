using BenchmarkDotNet.Attributes;
using Prison.Benchmarks.Infrastructure;
using Prison.Core;
using Prison.Core.Modules;

namespace Prison.Benchmarks;

/// <summary>
/// kldload + kldunload of the sysvshm plugin from its file: a new collectible load context each time,
/// the module's registrations made and undone, and the unload verified (the context must be collected,
/// which costs full garbage collections). GlobalCleanup tops the cycles up to 1000 and prints the
/// managed heap before and after, which must stay flat.
/// </summary>
/// <remarks>
/// Three rows: the whole verified cycle (what kldunload costs a user); the cycle without the check
/// (<see cref="LoadRegisterUnload"/>: the load, the module's registrations and their undoing, the context
/// unloaded but not waited for; the "at most 20 ms" row); and the collection check on its own
/// (one unloaded context, collected with <see cref="ModuleManager.CollectionsUntilCollected"/>; its load
/// and unload happen in the iteration setup). BenchmarkDotNet's collection before each iteration is
/// off, or it would collect the context before the check runs.
/// </remarks>
[MemoryDiagnoser]
[GcForce(false)]
public class ModuleCycleBenchmarks
{
    private const int CyclesForHeapCheck = 1000;
    private Kernel _kernel = null!;
    private long _heapBefore;
    private int _cycles;
    private WeakReference? _unloaded;

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
        var leaked = _kernel.Modules.List().Count(m => m.State == ModuleState.Leaked);
        Console.WriteLine($"// kldload+kldunload sysvshm: managed heap {_heapBefore / 1024.0:0.0} KiB before, {after / 1024.0:0.0} KiB after {_cycles} cycles "
            + $"({(after - _heapBefore) / 1024.0:+0.0;-0.0} KiB); leaked load contexts: {leaked}");
        _kernel.Dispose();
    }

    /// <summary>The whole cycle, as kldload and kldunload run it: load, unload, verified collection.</summary>
    [Benchmark(Baseline = true)]
    public void LoadAndUnload()
    {
        Cycle();
        _cycles++;
    }

    /// <summary>
    /// Load, registrations, unload: everything but the collection check, one cycle per iteration. The
    /// unloaded context is collected in the iteration cleanup, outside the measurement: left to pile up,
    /// hundreds of unloaded contexts make each further load slower (a cost no kldunload user pays, since
    /// each kldunload waits for its context).
    /// </summary>
    [Benchmark(OperationsPerInvoke = 1)]
    public void LoadRegisterUnload()
    {
        _kernel.Modules.VerifyCollection = false;
        try
        {
            _unloaded = LoadAndUnloadUnverified();
        }
        finally
        {
            _kernel.Modules.VerifyCollection = true;
        }
    }

    [IterationCleanup(Target = nameof(LoadRegisterUnload))]
    public void CollectUnloaded()
    {
        if (_unloaded is not null && ModuleManager.CollectionsUntilCollected(_unloaded) < 0)
            throw new InvalidOperationException("the unloaded context was not collected");
        _unloaded = null;
    }

    [IterationSetup(Target = nameof(CollectionCheck))]
    public void UnloadUnverified()
    {
        _kernel.Modules.VerifyCollection = false;
        try
        {
            _unloaded = LoadAndUnloadUnverified();
        }
        finally
        {
            _kernel.Modules.VerifyCollection = true;
        }
    }

    /// <summary>The collection check alone: full collections until the unloaded context is gone.</summary>
    [Benchmark(OperationsPerInvoke = 1)]
    public int CollectionCheck()
    {
        var collections = ModuleManager.CollectionsUntilCollected(_unloaded!);
        if (collections < 0)
            throw new InvalidOperationException("the unloaded context was not collected");
        return collections;
    }

    /// <summary>kldload and kldunload with the verification off; returns the unloaded context, weakly.</summary>
    private WeakReference? LoadAndUnloadUnverified()
    {
        var load = _kernel.Modules.Load(_kernel.Init.Cred, "sysvshm");
        if (!load.Ok)
            throw new InvalidOperationException("kldload: " + load);
        var loaded = load.Value;
        var unload = _kernel.Modules.Unload(_kernel.Init.Cred, "sysvshm");
        if (!unload.Ok)
            throw new InvalidOperationException("kldunload: " + unload);
        return loaded.LoadContext;
    }

    private void Cycle()
    {
        var cred = _kernel.Init.Cred;
        var load = _kernel.Modules.Load(cred, "sysvshm");
        if (!load.Ok)
            throw new InvalidOperationException("kldload: " + load);
        var unload = _kernel.Modules.Unload(cred, "sysvshm");
        if (!unload.Ok)
            throw new InvalidOperationException("kldunload: " + unload);
    }
}
