using System.Runtime.CompilerServices;
using BenchmarkDotNet.Attributes;
using McMaster.NETCore.Plugins;
using Microsoft.Extensions.Logging;
using Prison.Benchmarks.Infrastructure;
using Prison.Core.Modules;

namespace Prison.Benchmarks;

/// <summary>
/// The load context alone, in one run: the hand-written context Prison used first (baseline), against
/// McMaster.NETCore.Plugins' <c>PluginLoader</c> (kldload's loader until it probed runtimeconfig files on
/// every load) and against the same library's context builder, configured once per file, as kldload
/// uses it now (<c>PluginLoadContext</c>). Each operation makes the context, loads sysvshm's
/// assembly from memory, finds and creates its module, unloads the context and waits (full
/// collections) until it is collected, as kldunload verifies. No kernel: the module is never started.
/// </summary>
[MemoryDiagnoser]
public class LoaderBenchmarks
{
    private static readonly Type[] SharedTypes = [typeof(KernelModule), typeof(ILogger)];
    private string _file = null!;

    [GlobalSetup]
    public void Setup() => _file = Path.Combine(PluginFolder.Path, "sysvshm", "sysvshm.dll");

    [Benchmark(Baseline = true)]
    public int HandWritten() => Collect(LoadHandWritten());

    [Benchmark]
    public int McMaster() => Collect(LoadMcMaster());

    [Benchmark]
    public int McMasterBuilder() => Collect(LoadMcMasterBuilder());

    [MethodImpl(MethodImplOptions.NoInlining)]
    private WeakReference LoadMcMasterBuilder()
    {
        var context = new PluginLoadContext(_file);
        CreateModule(context.LoadMain());
        return context.Unload();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private WeakReference LoadHandWritten()
    {
        var context = new HandWrittenLoadContext("sysvshm", _file);
        CreateModule(context.LoadMain());
        context.Unload();
        return new WeakReference(context);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private WeakReference LoadMcMaster()
    {
        var loader = PluginLoader.CreateFromAssemblyFile(_file, isUnloadable: true, SharedTypes, c => c.LoadInMemory = true);
        CreateModule(loader.LoadDefaultAssembly());
        var weak = new WeakReference(loader.LoadContext);
        loader.Dispose();
        return weak;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void CreateModule(System.Reflection.Assembly assembly)
    {
        var type = assembly.GetExportedTypes().Single(t => t.IsSubclassOf(typeof(KernelModule)));
        if (Activator.CreateInstance(type) is not KernelModule)
            throw new InvalidOperationException("no module");
    }

    private static int Collect(WeakReference context)
    {
        var collections = ModuleManager.CollectionsUntilCollected(context);
        return collections >= 0 ? collections : throw new InvalidOperationException("the context was not collected");
    }
}
