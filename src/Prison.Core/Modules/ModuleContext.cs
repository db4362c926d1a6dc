using Microsoft.Extensions.Logging;
using Prison.Core.Procs;
using Prison.Core.Services;
using Prison.Core.Sysctl;

namespace Prison.Core.Modules;

/// <summary>
/// A module's registrar: every registration made through it is recorded against the module and undone
/// when the module unloads or its load fails, so a plugin cannot leak a registration that would keep its
/// unloaded assembly alive. It is also all a module sees of the kernel: besides the registrations it
/// hands out verbs (<see cref="Jails"/>, <see cref="RacctFor"/>, <see cref="Tunables"/>,
/// <see cref="Time"/>, <see cref="Logger"/>), never the <see cref="Kernel"/> or a registry.
/// </summary>
/// <remarks>
/// <para>The teardown order is the loader's, not the order of registration, so a module cannot get it
/// wrong: (1) the syscall gates close (new calls fail with ENOSYS) and drain; (2) the module's other
/// entry points (process-exit hooks, sysctl nodes and branches, snapshot sections, file system types) are
/// removed and the threads inside them drained; (3) the state cleanups registered with <see cref="Track"/>
/// run; (4) the services are deregistered (their <c>destroy</c> runs for every jail under the services
/// lock held exclusively, which waits for every callback in flight); (5) the gates are unbound. Within a
/// step, newest first. After that no thread runs the module's code.</para>
/// <para>Locking: <c>_lock</c> protects the list of registrations only; teardown runs outside it.</para>
/// </remarks>
public sealed partial class ModuleContext
{
    /// <summary>The teardown step a registration belongs to (see the type's remarks).</summary>
    private enum Stage
    {
        Gate,
        EntryPoint,
        State,
        Service,
    }

    private readonly List<(string What, Stage Stage, Action Undo)> _undo = [];
    private readonly List<ISyscallGateControl> _gates = [];
    private readonly Lock _lock = new();

    /// <summary>The threads inside the module's entry points other than syscalls.</summary>
    private readonly DrainCounter _entries = new();

    /// <summary>The kernel, for the registrar's own use only: a module never sees it (see <see cref="Jails"/>,
    /// <see cref="RacctFor"/>, <see cref="Tunables"/>, <see cref="Time"/> for what it gets instead).</summary>
    private readonly Kernel _kernel;

    internal ModuleContext(Kernel kernel, string moduleName)
    {
        _kernel = kernel;
        ModuleName = moduleName;
        Logger = kernel.LoggerFactory.CreateLogger("Prison.Module." + moduleName);
        Jails = new JailLookup(kernel.Jails);
        Tunables = new TunableReader(kernel.Kenv);
    }

    /// <summary>The module's name.</summary>
    public string ModuleName { get; }

    /// <summary>What the module has registered, in order (for kldstat -v and tests).</summary>
    public IReadOnlyList<string> Registrations
    {
        get
        {
            lock (_lock)
                return _undo.Select(u => u.What).ToArray();
        }
    }

    /// <summary>Registers a jail service (and its parameters); deregistered at unload, after every other step.</summary>
    public ServiceSlot<T> RegisterService<T>(JailServiceDefinition<T> definition) where T : class
    {
        var services = _kernel.Services;
        var slot = services.Register(definition);
        // Only the registrar deregisters it, in the loader's order: the slot's own Deregister refuses.
        slot.Registrar = ModuleName;
        Record($"service {definition.Name}", Stage.Service, () => services.Deregister(slot));
        return slot;
    }

    /// <summary>
    /// Binds the implementation of syscall contract <typeparamref name="T"/>; at unload the gate closes and
    /// drains first of all, and is unbound last.
    /// </summary>
    public void RegisterSyscalls<T>(T implementation) where T : class
    {
        var gate = _kernel.Syscalls.Gate<T>();
        var error = gate.Bind(implementation, ModuleName);
        if (error != Errno.OK)
            throw new KernelErrorException(error, $"syscalls {typeof(T).Name} are already provided by {gate.Owner}");
        lock (_lock)
            _gates.Add(new GateControl<T>(gate));
        Record($"syscalls {typeof(T).Name}", Stage.Gate, () =>
        {
            gate.Unbind();
            _kernel.Syscalls.ForgetCollectibleContract(typeof(T));
        });
    }

    /// <summary>Adds a sysctl node; removed (and its readers drained) at unload.</summary>
    public void RegisterSysctl(SysctlNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (_kernel.Sysctl.Add(new GatedSysctlNode(node, _entries)) != Errno.OK)
            throw new KernelErrorException(Errno.EEXIST, $"sysctl {node.Name} already exists");
        Record($"sysctl {node.Name}", Stage.EntryPoint, () => _kernel.Sysctl.Remove(node.Name));
    }

    /// <summary>Adds the module's section to kernel snapshots; removed (and drained) at unload.</summary>
    public void RegisterSnapshot(Snapshots.ISnapshotProvider provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        if (_kernel.Snapshots.Register(new GatedSnapshotProvider(provider, _entries)) != Errno.OK)
            throw new KernelErrorException(Errno.EEXIST, $"snapshot section {provider.Name} already exists");
        Record($"snapshot {provider.Name}", Stage.EntryPoint, () => _kernel.Snapshots.Unregister(provider.Name));
    }

    /// <summary>
    /// Adds a dynamic sysctl branch (nodes computed on demand under <paramref name="prefix"/>, which ends
    /// with a dot); removed (and drained) at unload.
    /// </summary>
    public void RegisterSysctlBranch(string prefix, Func<IEnumerable<SysctlNode>> nodes)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(prefix);
        ArgumentNullException.ThrowIfNull(nodes);
        var entries = _entries;
        _kernel.Sysctl.AddBranch(prefix, () =>
        {
            if (!entries.TryEnter())
                return [];
            try
            {
                // Listed inside the entry: the branch's enumeration is the module's code.
                return nodes().Select(n => (SysctlNode)new GatedSysctlNode(n, entries)).ToArray();
            }
            finally
            {
                entries.Leave();
            }
        });
        Record($"sysctl branch {prefix}", Stage.EntryPoint, () => _kernel.Sysctl.RemoveBranch(prefix));
    }

    /// <summary>Runs <paramref name="hook"/> at every process exit while the module is loaded.</summary>
    public void OnProcessExit(Action<Proc> hook)
    {
        ArgumentNullException.ThrowIfNull(hook);
        var entries = _entries;
        var registration = _kernel.Processes.AddExitHook(p =>
        {
            if (!entries.TryEnter())
                return;
            try
            {
                hook(p);
            }
            finally
            {
                entries.Leave();
            }
        });
        Record("process exit hook", Stage.EntryPoint, registration.Dispose);
    }

    /// <summary>
    /// Records a cleanup of the module's state (remove every object, wake every sleeper): it runs at
    /// unload after the syscalls are drained and the entry points removed, and before the services are
    /// deregistered. At kernel shutdown it may also run while the syscalls drain, to wake callers blocked
    /// inside, so it must be idempotent.
    /// </summary>
    public void Track(string what, Action undo)
    {
        ArgumentNullException.ThrowIfNull(undo);
        Record(what, Stage.State, undo);
    }

    // --- the loader's side -------------------------------------------------------------

    /// <summary>Step 1a: closes every syscall gate of the module (new calls fail with ENOSYS).</summary>
    internal void CloseGates()
    {
        foreach (var g in Gates())
            g.Close();
    }

    /// <summary>
    /// Step 1b: waits for the threads inside the module's syscalls. <paramref name="stop"/> is asked
    /// between short waits; true gives up and returns false (the gates stay closed).
    /// </summary>
    internal bool DrainGates(Func<bool>? stop)
    {
        foreach (var g in Gates())
        {
            if (!g.Drain(stop))
                return false;
        }
        return true;
    }

    /// <summary>Opens the gates again after a refused unload: nothing changed.</summary>
    internal void ReopenGates()
    {
        foreach (var g in Gates())
            g.Reopen();
    }

    /// <summary>
    /// Tears the module down in the loader's order (see the remarks) for a failed load or a kernel
    /// shutdown: the gates close, and callers blocked inside are woken by the state cleanups, which run
    /// while the drain waits.
    /// </summary>
    internal void UndoAll()
    {
        CloseGates();
        DrainGates(() =>
        {
            RunStage(Stage.State);
            return false;
        });
        Teardown();
    }

    /// <summary>Steps 2 to 5, for gates already closed and drained.</summary>
    internal void Teardown()
    {
        RunStage(Stage.EntryPoint);
        _entries.CloseAndDrain();
        RunStage(Stage.State);
        RunStage(Stage.Service);
        RunStage(Stage.Gate);
        lock (_lock)
        {
            _undo.Clear();
            _gates.Clear();
        }
    }

    /// <summary>Runs (and forgets) every registration of one step, newest first. Failures are logged and do not stop the rest.</summary>
    private void RunStage(Stage stage)
    {
        List<(string What, Stage Stage, Action Undo)> undo;
        lock (_lock)
        {
            undo = _undo.Where(u => u.Stage == stage).ToList();
            _undo.RemoveAll(u => u.Stage == stage);
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

    private ISyscallGateControl[] Gates()
    {
        lock (_lock)
            return [.. _gates];
    }

    private void Record(string what, Stage stage, Action undo)
    {
        lock (_lock)
            _undo.Add((what, stage, undo));
    }

    /// <summary>The loader's handle on one of the module's syscall gates, whatever its contract type.</summary>
    private interface ISyscallGateControl
    {
        void Close();

        void Reopen();

        bool Drain(Func<bool>? stop);
    }

    private sealed class GateControl<T>(Syscalls.SyscallGate<T> gate) : ISyscallGateControl where T : class
    {
        public void Close() => gate.Close();

        public void Reopen() => gate.Reopen();

        public bool Drain(Func<bool>? stop) => gate.Drain(stop);
    }
}
