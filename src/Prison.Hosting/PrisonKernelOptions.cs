namespace Prison.Hosting;

/// <summary>
/// The kernel a host app runs, bound from the configuration section <c>Prison</c>
/// (<see cref="PrisonServiceCollectionExtensions.ConfigurationSection"/>), then from the
/// <c>AddPrisonKernel</c> callback:
/// <code>
/// "Prison": {
///   "ModulePath": "/opt/app/plugins",
///   "Modules": [ "sysvshm", "/opt/app/hits/hits.dll" ],
///   "Tunables": { "kern.ipc.shmmni": "256" },
///   "WatchModules": true
/// }
/// </code>
/// </summary>
public sealed class PrisonKernelOptions
{
    /// <summary><c>kern.module_path</c>: folders searched by module name, separated by ';'. Null: <c>plugins/</c> beside the app.</summary>
    public string? ModulePath { get; set; }

    /// <summary>
    /// Modules to kldload at start, in order (a name looked up on <see cref="ModulePath"/>, or a path to a
    /// .dll). They are unloaded in reverse order at stop. A module that fails to load stops the host from
    /// starting (the ones already loaded are unloaded again).
    /// </summary>
    public IList<string> Modules { get; } = [];

    /// <summary>
    /// Loader tunables (loader.conf(5) style): set in the kernel environment (<c>kenv</c>) before any
    /// module loads, where modules read their limits at load time.
    /// </summary>
    public IDictionary<string, string> Tunables { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// Reload a module through kldunload and kldload when its file is replaced (see
    /// <c>ModuleWatcher</c>); off by default.
    /// </summary>
    public bool WatchModules { get; set; }
}
