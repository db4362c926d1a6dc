using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Prison.Core;
using Prison.Core.Modules;

namespace Prison.Hosting;

/// <summary>
/// Loads the configured modules when the host starts (in order, as root of the host) and unloads them
/// in reverse when it stops; with <see cref="PrisonKernelOptions.WatchModules"/>, reloads a module when
/// its file is replaced.
/// </summary>
internal sealed partial class PrisonKernelService(Kernel kernel, IOptions<PrisonKernelOptions> options, ILogger<PrisonKernelService> log)
    : IHostedService, IDisposable
{
    private readonly List<string> _loaded = [];
    private ModuleWatcher? _watcher;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var module in options.Value.Modules)
        {
            cancellationToken.ThrowIfCancellationRequested();
            // As rc.conf's kld_list is loaded: kldload(2) as root of the host (init).
            var r = kernel.Syscalls.KldLoad(kernel.Init, module);
            if (!r.Ok)
            {
                LogLoadFailed(module, r.Error.Name(), r.ErrorText);
                UnloadAll();
                throw new KernelErrorException(r.Error, $"kldload {module}: {r.ErrorText}");
            }
            var stat = kernel.Syscalls.KldStat(kernel.Init, r.Value).Value;
            _loaded.Add(stat.Name);
            LogLoaded(stat.Name, stat.Version.ToString(), stat.PathName ?? "(linked in)");
        }
        if (options.Value.WatchModules)
            _watcher = new ModuleWatcher(kernel);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _watcher?.Dispose();
        _watcher = null;
        UnloadAll();
        return Task.CompletedTask;
    }

    public void Dispose() => _watcher?.Dispose();

    private void UnloadAll()
    {
        for (var i = _loaded.Count - 1; i >= 0; i--)
        {
            // By name, not id: the module watcher may have reloaded it under a new id.
            var id = kernel.Syscalls.KldFind(kernel.Init, _loaded[i]);
            var r = id.Ok ? kernel.Syscalls.KldUnload(kernel.Init, id.Value) : id;
            if (r.Ok)
                LogUnloaded(_loaded[i]);
            else
                LogUnloadFailed(_loaded[i], r.Error.Name(), r.ErrorText);
        }
        _loaded.Clear();
    }

    [LoggerMessage(LogLevel.Error, "kldload {Module} failed at start: {Errno} ({Reason}); unloading the modules loaded before it")]
    private partial void LogLoadFailed(string module, string errno, string reason);

    [LoggerMessage(LogLevel.Information, "module {Module} {Version} loaded from {Path}")]
    private partial void LogLoaded(string module, string version, string path);

    [LoggerMessage(LogLevel.Information, "module {Module} unloaded at stop")]
    private partial void LogUnloaded(string module);

    [LoggerMessage(LogLevel.Warning, "kldunload {Module} at stop failed: {Errno} ({Reason})")]
    private partial void LogUnloadFailed(string module, string errno, string reason);
}
