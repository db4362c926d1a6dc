using Microsoft.Extensions.Logging;
using Prison.Core.Procs;
using Prison.Core.Services;
using Prison.Core.Sysctl;

namespace Prison.Core.Modules;

/// <summary>
/// A module's registrar: every registration made through it is recorded against the module and undone,
/// in reverse order, when the module unloads or its load fails, so a plugin cannot leak a registration
/// that would keep its unloaded assembly alive.
/// </summary>
public sealed partial class ModuleContext
{
    private readonly List<(string What, Action Undo)> _undo = [];
    private readonly Lock _lock = new();

    internal ModuleContext(Kernel kernel, string moduleName)
    {
        Kernel = kernel;
        ModuleName = moduleName;
        Logger = kernel.LoggerFactory.CreateLogger("Prison.Module." + moduleName);
    }

    /// <summary>The kernel the module is loaded into.</summary>
    public Kernel Kernel { get; }

    /// <summary>The module's name.</summary>
    public string ModuleName { get; }

    /// <summary>The module's logger (category <c>Prison.Module.NAME</c>).</summary>
    public ILogger Logger { get; }

    /// <summary>What the module has registered, in order (for kldstat -v and tests).</summary>
    public IReadOnlyList<string> Registrations
    {
        get
        {
            lock (_lock)
                return _undo.Select(u => u.What).ToArray();
        }
    }

    /// <summary>A logger for a category under the module (<c>Prison.Module.NAME.SUFFIX</c>).</summary>
    public ILogger CreateLogger(string suffix) => Kernel.LoggerFactory.CreateLogger($"Prison.Module.{ModuleName}.{suffix}");

    /// <summary>Registers a jail service (and its parameters); deregistered at unload.</summary>
    public ServiceSlot<T> RegisterService<T>(JailServiceDefinition<T> definition) where T : class
    {
        var slot = Kernel.Services.Register(definition);
        Record($"service {definition.Name}", slot.Deregister);
        return slot;
    }

    /// <summary>Binds the implementation of syscall contract <typeparamref name="T"/>; unbound (and drained) at unload.</summary>
    public void RegisterSyscalls<T>(T implementation) where T : class
    {
        var gate = Kernel.Syscalls.Gate<T>();
        var error = gate.Bind(implementation, ModuleName);
        if (error != Errno.OK)
            throw new KernelErrorException(error, $"syscalls {typeof(T).Name} are already provided by {gate.Owner}");
        Record($"syscalls {typeof(T).Name}", () =>
        {
            gate.UnbindAndDrain();
            Kernel.Syscalls.ForgetCollectibleContract(typeof(T));
        });
    }

    /// <summary>Adds a sysctl node; removed at unload.</summary>
    public void RegisterSysctl(SysctlNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (Kernel.Sysctl.Add(node) != Errno.OK)
            throw new KernelErrorException(Errno.EEXIST, $"sysctl {node.Name} already exists");
        Record($"sysctl {node.Name}", () => Kernel.Sysctl.Remove(node.Name));
    }

    /// <summary>Adds the module's section to kernel snapshots; removed at unload.</summary>
    public void RegisterSnapshot(Snapshots.ISnapshotProvider provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        if (Kernel.Snapshots.Register(provider) != Errno.OK)
            throw new KernelErrorException(Errno.EEXIST, $"snapshot section {provider.Name} already exists");
        Record($"snapshot {provider.Name}", () => Kernel.Snapshots.Unregister(provider.Name));
    }

    /// <summary>
    /// Adds a dynamic sysctl branch (nodes computed on demand under <paramref name="prefix"/>, which ends
    /// with a dot); removed at unload.
    /// </summary>
    public void RegisterSysctlBranch(string prefix, Func<IEnumerable<SysctlNode>> nodes)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(prefix);
        ArgumentNullException.ThrowIfNull(nodes);
        Kernel.Sysctl.AddBranch(prefix, nodes);
        Record($"sysctl branch {prefix}", () => Kernel.Sysctl.RemoveBranch(prefix));
    }

    /// <summary>Runs <paramref name="hook"/> at every process exit while the module is loaded.</summary>
    public void OnProcessExit(Action<Proc> hook)
    {
        var registration = Kernel.Processes.AddExitHook(hook);
        Record("process exit hook", registration.Dispose);
    }

    /// <summary>Records any other registration: <paramref name="undo"/> runs at unload, in reverse order.</summary>
    public void Track(string what, Action undo)
    {
        ArgumentNullException.ThrowIfNull(undo);
        Record(what, undo);
    }

    /// <summary>Undoes every registration, newest first. Failures are logged and do not stop the rest.</summary>
    internal void UndoAll()
    {
        List<(string What, Action Undo)> undo;
        lock (_lock)
        {
            undo = [.. _undo];
            _undo.Clear();
        }
        for (var i = undo.Count - 1; i >= 0; i--)
        {
            try
            {
                undo[i].Undo();
            }
            catch (Exception ex)
            {
                Logger.LogError(ex, "undoing {Registration} of module {Module} failed", undo[i].What, ModuleName);
            }
        }
    }

    private void Record(string what, Action undo)
    {
        lock (_lock)
            _undo.Add((what, undo));
    }
}
