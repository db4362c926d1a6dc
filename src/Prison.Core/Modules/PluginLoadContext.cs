using System.Reflection;
using System.Runtime.CompilerServices;
using McMaster.NETCore.Plugins;
using Microsoft.Extensions.Logging;

namespace Prison.Core.Modules;

/// <summary>
/// The collectible load context of one plugin, made by McMaster.NETCore.Plugins' <see cref="PluginLoader"/>:
/// it shares the contract assemblies with the host, resolves the plugin's private dependencies from the
/// plugin's own folder (its <c>.deps.json</c>), and falls back to the host for everything the plugin does
/// not ship.
/// </summary>
/// <remarks>
/// <para>Assemblies are read into memory (<see cref="PluginConfig.LoadInMemory"/>), so the files are never
/// locked: a plugin can be rebuilt and loaded again while the process runs. Native libraries are the
/// exception: the library shadow-copies them to a temporary file for the OS loader, and that copy stays
/// mapped for the life of the process.</para>
/// <para>The loader's own hot reload (<see cref="PluginConfig.EnableHotReload"/>) stays off: it reloads
/// behind the module lifecycle (no quiesce veto, the old registrations left running) and misses a
/// rename over the file. the module watcher (kern.module_watch) reloads through kldunload and kldload instead.</para>
/// </remarks>
internal sealed class PluginLoadContext
{
    /// <summary>
    /// Types whose assemblies cross the host/plugin boundary. They always come from the host's default
    /// context, even when a copy sits beside the plugin: two copies would be two sets of types, and the
    /// plugin's <see cref="KernelModule"/> would not be the host's.
    /// </summary>
    private static readonly Type[] SharedTypes = [typeof(KernelModule), typeof(ILogger)];

    // Dropped at unload: a disposed PluginLoader still holds its context, so any reference to the loader
    // would keep the unloaded plugin alive.
    private PluginLoader? _loader;

    /// <summary>Creates the context for the plugin whose main assembly is <paramref name="mainAssemblyPath"/>.</summary>
    /// <exception cref="InvalidOperationException">The plugin's .deps.json or runtimeconfig cannot be read.</exception>
    public PluginLoadContext(string mainAssemblyPath)
    {
        MainAssemblyPath = mainAssemblyPath;
        _loader = PluginLoader.CreateFromAssemblyFile(mainAssemblyPath, isUnloadable: true, SharedTypes,
            config => config.LoadInMemory = true);
    }

    /// <summary>The plugin's main assembly file.</summary>
    public string MainAssemblyPath { get; }

    /// <summary>Loads the plugin's main assembly.</summary>
    public Assembly LoadMain() => (_loader ?? throw new ObjectDisposedException(nameof(PluginLoadContext))).LoadDefaultAssembly();

    /// <summary>
    /// Unloads the context and forgets the loader. The returned weak reference (to the
    /// <see cref="System.Runtime.Loader.AssemblyLoadContext"/> itself) tells when the plugin is gone.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public WeakReference Unload()
    {
        var loader = _loader ?? throw new ObjectDisposedException(nameof(PluginLoadContext));
        _loader = null;
        var weak = new WeakReference(loader.LoadContext);
        loader.Dispose();
        return weak;
    }
}
