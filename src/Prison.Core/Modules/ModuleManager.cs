using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Prison.Core.Procs;

namespace Prison.Core.Modules;

/// <summary>
/// kldload / kldunload / kldstat. Modules are <see cref="KernelModule"/>s: linked into the host
/// (<see cref="LoadInstance"/>) or loaded from a plugin file on a collectible load context.
/// </summary>
/// <remarks>Locking: <c>_lock</c> serialises loads and unloads and protects <c>_modules</c>; it is held
/// while a module's hooks run (and while an unload drains the module's syscalls), so a module's Load must
/// not load or unload modules itself. kldstat never takes it: it reads <c>_published</c>, an immutable
/// copy of the list replaced under the lock at every change, so it answers even while an unload waits.</remarks>
internal sealed partial class ModuleManager
{
    private readonly Kernel _kernel;
    private readonly ILogger _log;
    private readonly Lock _lock = new();
    private readonly List<LoadedModule> _modules = [];
    private volatile LoadedModule[] _published = [];
    private int _lastId = 1;

    internal ModuleManager(Kernel kernel, string? modulePath)
    {
        _kernel = kernel;
        _log = kernel.LoggerFactory.CreateLogger("Prison.Modules");
        ModulePath = modulePath ?? DefaultModulePath();
        kernel.Sysctl.Add(new Sysctl.SysctlString("kern.module_path", "module load search path",
            _ => ModulePath, v =>
            {
                ModulePath = v;
                return Errno.OK;
            }));
    }

    /// <summary><c>kern.module_path</c>: folders searched by name, separated by ';'.</summary>
    public string ModulePath { get; set; }

    /// <summary>Every module kldstat lists (loaded ones, ones being unloaded, and unloaded ones whose context leaked).</summary>
    public IReadOnlyList<LoadedModule> List() => _published;

    /// <summary>Finds a loaded module by name.</summary>
    public LoadedModule? Find(string name) => _published.FirstOrDefault(m => m.Name == name && m.State == ModuleState.Loaded);

    /// <summary>
    /// Loads a module linked into the host (no plugin file): the same registration, ownership and
    /// unload rules as a plugin. EEXIST when a module of that name is loaded.
    /// </summary>
    public SysResult<LoadedModule> LoadInstance(KernelModule module, Ucred? caller = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        if (caller is not null && Priv.Check(caller, Privilege.KldLoad) != Errno.OK)
            return SysResult<LoadedModule>.Fail(Errno.EPERM, "kldload: not permitted");
        lock (_lock)
            return Start(module, path: null);
    }

    /// <summary>
    /// kldunload: refuses while a loaded module depends on this one (EBUSY), asks the module's quiesce veto
    /// (<see cref="KernelModule.QueryUnload"/>; <paramref name="force"/> skips it, like <c>kldunload -f</c>),
    /// closes the module's syscall gates and drains them, asks the module's own unload check
    /// (<see cref="KernelModule.CheckUnload"/>, never skipped: EBUSY reopens the gates and nothing
    /// changed), then removes its entry points, cleans up its state and deregisters its services (destroy
    /// on every jail), in that order. A module loaded from a file then has its load context unloaded and
    /// verified collected; one that is not stays listed as <see cref="ModuleState.Leaked"/>.
    /// </summary>
    /// <returns>The module's id; ENOENT (no such module), EPERM, or the veto's or check's error (EBUSY).</returns>
    public SysResult<int> Unload(Ucred caller, string name, bool force = false)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(name);
        if (Priv.Check(caller, Privilege.KldUnload) != Errno.OK)
            return SysResult<int>.Fail(Errno.EPERM, "kldunload: not permitted");
        var result = BeginUnload(name, force, out var loaded, out var context);
        // Verified outside the lock: the collections can take a while, and kldstat shows UnloadPending meanwhile.
        if (result.Ok && context is not null)
        {
            if (VerifyCollection)
                FinishUnload(loaded!, context);
            else
                ForgetUnverified(loaded!);
        }
        return result;
    }

    /// <summary>Unloads every module, newest first, without asking (kernel shutdown); contexts are not waited for.</summary>
    public void UnloadAll()
    {
        lock (_lock)
        {
            foreach (var m in _modules.Where(m => m.State == ModuleState.Loaded).Reverse().ToArray())
            {
                if (Stop(m, drained: false) is not null)
                    Remove(m);
            }
        }
    }

    // Not inlined, here and below: no frame that touched the plugin's objects may still be on the stack
    // (where the JIT may keep them alive) while the manager waits for the plugin's context to die.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private SysResult<int> BeginUnload(string name, bool force, out LoadedModule? loaded, out WeakReference? context)
    {
        context = null;
        lock (_lock)
        {
            loaded = _modules.FirstOrDefault(m => (m.Name == name || m.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) == name) && m.State == ModuleState.Loaded);
            if (loaded is null)
                return SysResult<int>.Fail(Errno.ENOENT, $"can't find file {name}");
            var target = loaded.Name;
            var dependents = _modules.Where(m => m.State == ModuleState.Loaded && m.DependsOn.Contains(target)).Select(m => m.Name).ToArray();
            if (dependents.Length > 0)
                return SysResult<int>.Fail(Errno.EBUSY, $"{loaded.Name} is needed by {string.Join(", ", dependents)}");
            if (!force && AskModule(loaded, quiesce: true) is var veto && veto != Errno.OK)
                return SysResult<int>.Fail(veto, $"{loaded.Name}: module busy");
            // The module's own check before anything changes: the common refusal leaves the gates untouched.
            if (AskModule(loaded, quiesce: false) is var busy && busy != Errno.OK)
                return SysResult<int>.Fail(busy, $"{loaded.Name}: module busy");
            var module = loaded;
            // kldstat shows the unload from here; a refusal below makes the module Loaded again.
            loaded.State = ModuleState.UnloadPending;
            loaded.Context.CloseGates();
            // A caller blocked inside (a semop on a set) would never leave: the module reports it busy.
            var drained = loaded.Context.DrainGates(() => AskModule(module, quiesce: false) != Errno.OK);
            var check = drained ? AskModule(loaded, quiesce: false) : Errno.EBUSY;
            if (check != Errno.OK)
            {
                loaded.Context.ReopenGates();
                loaded.State = ModuleState.Loaded;
                _log.LogInformation("module {Module} refused to unload ({Errno}); its syscalls are open again", loaded.Name, check);
                return SysResult<int>.Fail(check, $"{loaded.Name}: module busy");
            }
            context = Stop(loaded, drained: true);
            return SysResult<int>.Success(loaded.Id);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private Errno AskModule(LoadedModule loaded, bool quiesce)
    {
        try
        {
            return quiesce ? loaded.Module!.QueryUnload(loaded.Context) : loaded.Module!.CheckUnload(loaded.Context);
        }
        catch (Exception ex)
        {
            // A veto that throws is still a veto: unloading a module that cannot answer is not safe.
            _log.LogError(ex, "module {Module} threw from {Hook}; the unload is refused", loaded.Name, quiesce ? "QueryUnload" : "CheckUnload");
            return Errno.EBUSY;
        }
    }

    private SysResult<LoadedModule> Start(KernelModule module, string? path)
    {
        ModuleIdentity identity;
        try
        {
            identity = ModuleIdentity.Of(module);
        }
        catch (Exception ex)
        {
            return SysResult<LoadedModule>.Fail(Errno.EDOOFUS, $"{path ?? module.GetType().Name}: cannot read the module's name, version or dependencies: {ex.Message}");
        }
        if (_modules.Any(m => m.Name == identity.Name && m.State == ModuleState.Loaded))
            return SysResult<LoadedModule>.Fail(Errno.EEXIST, $"module {identity.Name} already loaded");
        foreach (var dep in identity.DependsOn)
        {
            if (!_modules.Any(m => m.Name == dep && m.State == ModuleState.Loaded))
                return SysResult<LoadedModule>.Fail(Errno.ENOENT, $"{identity.Name} depends on {dep}, which is not loaded");
        }
        var context = new ModuleContext(_kernel, identity.Name);
        try
        {
            module.Load(context);
        }
        catch (Exception ex)
        {
            _log.LogWarning(ex, "module {Module} failed to load; undoing its registrations", identity.Name);
            context.UndoAll();
            return SysResult<LoadedModule>.FromException(ex, identity.Name);
        }
        var loaded = new LoadedModule(++_lastId, module, identity, context, path);
        foreach (var dep in identity.DependsOn)
            _modules.First(m => m.Name == dep && m.State == ModuleState.Loaded).References++;
        _modules.Add(loaded);
        _published = [.. _modules];
        _log.LogInformation("module {Module} {Version} loaded (id {Id})", loaded.Name, loaded.Version, loaded.Id);
        return SysResult<LoadedModule>.Success(loaded);
    }

    /// <summary>
    /// Undoes the module's registrations and drops every reference to it. A linked-in module leaves the
    /// list; a plugin becomes <see cref="ModuleState.UnloadPending"/> and its context is unloaded: the
    /// returned weak reference tells when it is gone.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private WeakReference? Stop(LoadedModule loaded, bool drained)
    {
        loaded.State = ModuleState.UnloadPending;
        // kldunload closed and drained the gates already; shutdown closes them here and wakes the
        // callers blocked inside with the module's state cleanups.
        if (drained)
            loaded.Context.Teardown();
        else
            loaded.Context.UndoAll();
        try
        {
            loaded.Module!.Unload(loaded.Context);
        }
        catch (Exception ex)
        {
            _log.LogError(ex, "module {Module} threw from Unload", loaded.Name);
        }
        foreach (var dep in loaded.DependsOn)
        {
            var d = _modules.FirstOrDefault(m => m.Name == dep && m.State == ModuleState.Loaded);
            if (d is not null)
                d.References--;
        }
        loaded.Module = null;
        if (loaded.PluginContext is null)
        {
            Remove(loaded);
            _log.LogInformation("module {Module} unloaded", loaded.Name);
            return null;
        }
        return ReleaseContext(loaded);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference ReleaseContext(LoadedModule loaded)
    {
        var context = loaded.PluginContext!;
        loaded.PluginContext = null;
        var weak = context.Unload();
        loaded.LoadContext = weak;
        return weak;
    }

    private void FinishUnload(LoadedModule loaded, WeakReference context)
    {
        var collections = CollectionsUntilCollected(context);
        lock (_lock)
        {
            if (collections >= 0)
            {
                Remove(loaded);
                _log.LogInformation("module {Module} unloaded; its load context was collected after {Collections} collections", loaded.Name, collections);
            }
            else
            {
                loaded.State = ModuleState.Leaked;
                _log.LogWarning("module {Module} unloaded, but its load context was not collected after {Attempts} collections: something still references the plugin", loaded.Name, CollectAttempts);
            }
        }
    }

    /// <summary>
    /// False only in the benchmarks, which time the collection check on its own: the unloaded module
    /// leaves the list at once and its weak context reference stays on <see cref="LoadedModule.LoadContext"/>.
    /// </summary>
    internal bool VerifyCollection { get; set; } = true;

    private void ForgetUnverified(LoadedModule loaded)
    {
        lock (_lock)
            Remove(loaded);
    }

    private void Remove(LoadedModule loaded)
    {
        _modules.Remove(loaded);
        _published = [.. _modules];
    }

    private static string DefaultModulePath() => Path.Combine(AppContext.BaseDirectory, "plugins");
}
