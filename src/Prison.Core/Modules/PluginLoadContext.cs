using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;
using McMaster.NETCore.Plugins.Loader;
using Microsoft.Extensions.Logging;

namespace Prison.Core.Modules;

/// <summary>
/// The collectible load context of one plugin, made by McMaster.NETCore.Plugins' context builder
/// (<see cref="AssemblyLoadContextBuilder"/>, the engine behind its <c>PluginLoader</c>): it shares the
/// contract assemblies with the host, resolves the plugin's private dependencies from the plugin's own
/// folder (its <c>.deps.json</c>), and falls back to the host for everything the plugin does not ship.
/// </summary>
/// <remarks>
/// <para>Assemblies are read into memory (<see cref="AssemblyLoadContextBuilder.PreloadAssembliesIntoMemory"/>),
/// so the files are never locked: a plugin can be rebuilt and loaded again while the process runs.
/// Native libraries are the exception: the OS loader maps them from their file.</para>
/// <para>Why the builder and not <c>PluginLoader.CreateFromAssemblyFile</c>: the loader reads the
/// plugin's <c>runtimeconfig.json</c> and every <c>*.runtimeconfig.json</c> of the host's folder on each
/// load, only to add the probing paths of a development build (the NuGet cache of
/// <c>runtimeconfig.dev.json</c>, the runtime package store), and each read also looks up the process's
/// main module. On a loaded 2-core machine that was more than half of a kldload (docs/benchmarks.md).
/// A Prison plugin ships its dependencies in its folder, so those probing paths are never needed. The
/// builder, which holds only paths and names, is made once per plugin file: the walk over the shared
/// assemblies' references (which the builder does to share them transitively) is not repeated either.
/// Each <see cref="AssemblyLoadContextBuilder.Build"/> makes a new context and reads the plugin's
/// <c>.deps.json</c> again, so a rebuilt plugin is seen as it is now.</para>
/// <para>The loader's own hot reload stays off: it reloads behind the module lifecycle (no quiesce veto,
/// the old registrations left running) and misses a rename over the file. The module watcher
/// (kern.module_watch) reloads through kldunload and kldload instead.</para>
/// </remarks>
internal sealed class PluginLoadContext
{
    /// <summary>
    /// Types whose assemblies cross the host/plugin boundary. They always come from the host's default
    /// context, even when a copy sits beside the plugin: two copies would be two sets of types, and the
    /// plugin's <see cref="KernelModule"/> would not be the host's.
    /// </summary>
    private static readonly Type[] SharedTypes = [typeof(KernelModule), typeof(ILogger)];

    /// <summary>One configured builder per plugin file (full path). Built once, then only read.</summary>
    private static readonly ConcurrentDictionary<string, AssemblyLoadContextBuilder> Builders = new(StringComparer.Ordinal);

    // Dropped at unload: any reference to the context would keep the unloaded plugin alive.
    private AssemblyLoadContext? _context;

    /// <summary>Creates the context for the plugin whose main assembly is <paramref name="mainAssemblyPath"/>.</summary>
    /// <exception cref="ArgumentException">The path is not a full path.</exception>
    /// <exception cref="InvalidOperationException">The plugin's .deps.json cannot be read.</exception>
    public PluginLoadContext(string mainAssemblyPath)
    {
        MainAssemblyPath = mainAssemblyPath;
        _context = Builders.GetOrAdd(mainAssemblyPath, NewBuilder).Build();
    }

    /// <summary>The plugin's main assembly file.</summary>
    public string MainAssemblyPath { get; }

    /// <summary>Loads the plugin's main assembly from memory (with its symbols when a .pdb sits beside it).</summary>
    /// <exception cref="BadImageFormatException">The file is not a .NET assembly.</exception>
    public Assembly LoadMain()
    {
        var context = _context ?? throw new ObjectDisposedException(nameof(PluginLoadContext));
        // The file itself, read into memory as the context reads every dependency (PluginLoader's
        // LoadDefaultAssembly does the same): the file is never locked, and its name need not match.
        using var image = new MemoryStream(File.ReadAllBytes(MainAssemblyPath));
        var pdbPath = Path.ChangeExtension(MainAssemblyPath, ".pdb");
        if (!File.Exists(pdbPath))
            return context.LoadFromStream(image);
        using var symbols = new MemoryStream(File.ReadAllBytes(pdbPath));
        return context.LoadFromStream(image, symbols);
    }

    /// <summary>
    /// Unloads the context and forgets it. The returned weak reference (to the
    /// <see cref="AssemblyLoadContext"/> itself) tells when the plugin is gone.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public WeakReference Unload()
    {
        var context = _context ?? throw new ObjectDisposedException(nameof(PluginLoadContext));
        _context = null;
        var weak = new WeakReference(context);
        context.Unload();
        return weak;
    }

    private static AssemblyLoadContextBuilder NewBuilder(string mainAssemblyPath)
    {
        var builder = new AssemblyLoadContextBuilder()
            .SetMainAssemblyPath(mainAssemblyPath)
            .EnableUnloading()
            .PreloadAssembliesIntoMemory();
        foreach (var type in SharedTypes)
            builder.PreferDefaultLoadContextAssembly(type.Assembly.GetName());
        return builder;
    }
}
