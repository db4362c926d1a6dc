using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Prison.Core.Modules;

/// <summary>
/// Reload on change: watches the files of the modules loaded from files and, when one is replaced
/// (written in place, or an atomic rename over it), reloads it through the module lifecycle:
/// kldunload (honouring the module's quiesce/EBUSY veto and the dependency check), then kldload of
/// the new file.
/// </summary>
/// <remarks>
/// <para>File events come in bursts (a copy is several writes; a rename is a create and a rename), so
/// each file's events are debounced: the reload runs once the file has been quiet for
/// <see cref="Debounce"/>. A refused kldunload leaves the old version running and is logged with its
/// reason; a failed kldload of the new file leaves the module unloaded and is logged. Every step is
/// logged under the category <c>Prison.ModuleWatcher</c> and reported by <see cref="ReloadAttempted"/>.</para>
/// <para>The set of watched folders follows kldstat: it is refreshed at every event and every
/// <see cref="RefreshInterval"/>, so modules loaded after the watcher started are watched too.</para>
/// <para>Locking: <c>_lock</c> protects <c>_watchers</c> and <c>_pending</c>; reloads run on timer
/// threads, one at a time (<c>_reloadLock</c>), outside <c>_lock</c>.</para>
/// </remarks>
public sealed class ModuleWatcher : IDisposable
{
    /// <summary>The default quiet time before a changed file is reloaded.</summary>
    public static readonly TimeSpan DefaultDebounce = TimeSpan.FromMilliseconds(300);

    /// <summary>How often the watched folders are refreshed from kldstat.</summary>
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(1);

    private readonly Kernel _kernel;
    private readonly ILogger _log;
    private readonly Lock _lock = new();
    private readonly Lock _reloadLock = new();
    private readonly Dictionary<string, FileSystemWatcher> _watchers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Timer> _pending = new(StringComparer.Ordinal);
    private readonly Timer _refresh;
    private bool _disposed;

    /// <summary>Starts watching the files of every module loaded from a file, now and later.</summary>
    /// <param name="kernel">The kernel whose modules are reloaded (as root of the host).</param>
    /// <param name="debounce">Quiet time before a reload; <see cref="DefaultDebounce"/> when null.</param>
    public ModuleWatcher(Kernel kernel, TimeSpan? debounce = null)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        _kernel = kernel;
        _log = kernel.LoggerFactory.CreateLogger("Prison.ModuleWatcher");
        Debounce = debounce ?? DefaultDebounce;
        Refresh();
        _refresh = new Timer(_ => Refresh(), null, RefreshInterval, RefreshInterval);
    }

    /// <summary>Raised after every reload attempt, successful or not (on a timer thread).</summary>
    public event EventHandler<ModuleReloadEventArgs>? ReloadAttempted;

    /// <summary>The quiet time before a changed file is reloaded.</summary>
    public TimeSpan Debounce { get; }

    /// <summary>The folders being watched.</summary>
    public IReadOnlyList<string> Folders
    {
        get
        {
            lock (_lock)
                return [.. _watchers.Keys.Order(StringComparer.Ordinal)];
        }
    }

    /// <summary>Starts watching the folder of every module loaded from a file that is not watched yet.</summary>
    public void Refresh()
    {
        var folders = _kernel.Modules.List()
            .Where(m => m.Path is not null && m.State == ModuleState.Loaded)
            .Select(m => System.IO.Path.GetDirectoryName(m.Path)!)
            .Distinct(StringComparer.Ordinal);
        lock (_lock)
        {
            if (_disposed)
                return;
            foreach (var folder in folders)
            {
                if (_watchers.ContainsKey(folder) || !Directory.Exists(folder))
                    continue;
                var watcher = new FileSystemWatcher(folder, "*.dll")
                {
                    NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
                };
                watcher.Changed += (_, e) => OnEvent(e.FullPath);
                watcher.Created += (_, e) => OnEvent(e.FullPath);
                // A rename over the module's file reports the module's path as the new name.
                watcher.Renamed += (_, e) => OnEvent(e.FullPath);
                watcher.Error += (_, e) => _log.LogWarning(e.GetException(), "watching {Folder} failed; changes there may be missed", folder);
                watcher.EnableRaisingEvents = true;
                _watchers.Add(folder, watcher);
                _log.LogDebug("watching {Folder} for module changes", folder);
            }
        }
    }

    /// <summary>Stops watching; a reload already running finishes.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
                return;
            _disposed = true;
            foreach (var w in _watchers.Values)
                w.Dispose();
            _watchers.Clear();
        }
        _refresh.Dispose();
        foreach (var t in _pending.Values)
            t.Dispose();
        _pending.Clear();
    }

    private void OnEvent(string path)
    {
        if (!_kernel.Modules.List().Any(m => m.Path == path && m.State == ModuleState.Loaded))
            return;
        _log.LogDebug("{File} changed; reloading once it has been quiet for {Debounce} ms", path, Debounce.TotalMilliseconds);
        lock (_lock)
        {
            if (_disposed)
                return;
            // Each event restarts the file's quiet period.
            var timer = _pending.GetOrAdd(path, p => new Timer(_ => Fire(p), null, Timeout.Infinite, Timeout.Infinite));
            timer.Change(Debounce, Timeout.InfiniteTimeSpan);
        }
    }

    private void Fire(string path)
    {
        lock (_lock)
        {
            if (_pending.TryRemove(path, out var timer))
                timer.Dispose();
            if (_disposed)
                return;
        }
        ModuleReloadEventArgs outcome;
        lock (_reloadLock)
            outcome = Reload(path);
        ReloadAttempted?.Invoke(this, outcome);
    }

    private ModuleReloadEventArgs Reload(string path)
    {
        var cred = _kernel.Init.Cred;
        var old = _kernel.Modules.List().FirstOrDefault(m => m.Path == path && m.State == ModuleState.Loaded);
        if (old is null)
            return new(path, null, Errno.ENOENT, "no loaded module comes from this file any more");
        var name = old.Name;
        _log.LogInformation("reloading module {Module} (version {Version}): {File} was replaced", name, old.Version, path);
        var unload = _kernel.Modules.Unload(cred, name);
        if (!unload.Ok)
        {
            _log.LogWarning("reload of module {Module} refused: kldunload failed with {Errno} ({Reason}); the old version keeps running",
                name, unload.Error.Name(), unload.ErrorText);
            return new(path, name, unload.Error, unload.ErrorText);
        }
        _log.LogInformation("module {Module} unloaded for reload; loading the new {File}", name, path);
        var load = _kernel.Modules.Load(cred, path);
        if (!load.Ok)
        {
            _log.LogError("reload of module {Module}: kldload of the new file failed with {Errno} ({Reason}); the module is not loaded",
                name, load.Error.Name(), load.ErrorText);
            return new(path, name, load.Error, load.ErrorText);
        }
        _log.LogInformation("module {Module} reloaded: version {Version}, id {Id}", load.Value.Name, load.Value.Version, load.Value.Id);
        return new(path, load.Value.Name, Errno.OK, null);
    }
}

/// <summary>The outcome of one reload attempt of <see cref="ModuleWatcher"/>.</summary>
/// <param name="Path">The module file that changed.</param>
/// <param name="Module">The module's name (null when no loaded module came from the file any more).</param>
/// <param name="Error"><see cref="Errno.OK"/> when the new version is loaded; the kldunload error (EBUSY:
/// the old version keeps running) or the kldload error (the module is not loaded) otherwise.</param>
/// <param name="Message">What went wrong, as kldunload or kldload said it.</param>
public sealed class ModuleReloadEventArgs(string Path, string? Module, Errno Error, string? Message) : EventArgs
{
    /// <summary>The module file that changed.</summary>
    public string Path { get; } = Path;

    /// <summary>The module's name (null when no loaded module came from the file any more).</summary>
    public string? Module { get; } = Module;

    /// <summary>OK when the new version is loaded; otherwise the failing step's errno.</summary>
    public Errno Error { get; } = Error;

    /// <summary>What went wrong.</summary>
    public string? Message { get; } = Message;
}
