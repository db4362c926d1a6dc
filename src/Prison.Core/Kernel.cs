using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Prison.Core.Jails;
using Prison.Core.Modules;
using Prison.Core.Procs;
using Prison.Core.Rctl;
using Prison.Core.Services;
using Prison.Core.Snapshots;
using Prison.Core.Syscalls;
using Prison.Core.Sysctl;
using Prison.Core.Vfs;

namespace Prison.Core;

/// <summary>Options for a <see cref="Kernel"/>.</summary>
public sealed class KernelOptions
{
    /// <summary>Where log output goes (categories: <c>Prison.Kpi</c>, <c>Prison.Jail</c>, <c>Prison.Module.NAME</c>, ...).</summary>
    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    /// <summary>The clock for IPC times (atime, ctime, ...); inject a fake one for deterministic snapshots.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>The initial <c>kern.module_path</c>: folders searched by kldload, separated by ';'.</summary>
    public string? ModulePath { get; init; }

    /// <summary>
    /// The kernel environment at boot (loader.conf(5)'s <c>name="value"</c> lines; FreeBSD's loader sets
    /// them before the kernel starts): tunables such as <c>kern.ipc.shmmni</c> that a module reads when it
    /// loads. Set in the order given, before anything else runs; later changes go through kenv(2)
    /// (<see cref="Syscalls.SyscallInterface.KenvSet"/>).
    /// </summary>
    public IEnumerable<KeyValuePair<string, string>> Tunables { get; init; } = [];
}

/// <summary>
/// A Prison kernel: prison0 and its jails, the jail services KPI, processes, sysctl, the syscall
/// table and loadable modules. Userland reaches it only through <see cref="Syscalls"/>.
/// </summary>
public sealed class Kernel : IDisposable
{
    /// <summary>Boots a kernel: prison0 exists, with an <c>init</c> process (pid 1, root) in it.</summary>
    public Kernel(KernelOptions? options = null)
    {
        options ??= new KernelOptions();
        LoggerFactory = options.LoggerFactory;
        Time = options.Time;
        ArgumentNullException.ThrowIfNull(options.Tunables);
        foreach (var (name, value) in options.Tunables)
            Kenv.Set(name, value);
        Sysctl = new SysctlTree();
        Sysent = new SyscallTable();
        Syscalls = new SyscallInterface(this);
        Jails = new JailTable(this);
        Sysctl.InitialValueReader = Ucred.Root(Jails.Prison0);
        Services = new ServiceRegistry(this);
        Racct = new Racct(this);
        Processes = new ProcessTable(this);
        Vfs = new VirtualFileSystem(this);
        Modules = new ModuleManager(this, options.ModulePath);
        Snapshots = new KernelSnapshot(this);
        CoreSysctls.Register(this);
        Init = Processes.Spawn(Ucred.Root(Prison0), "init").Value;
    }

    /// <summary>The logger factory.</summary>
    public ILoggerFactory LoggerFactory { get; }

    /// <summary>The clock.</summary>
    public TimeProvider Time { get; }

    /// <summary>The jail list and the jail syscalls.</summary>
    internal JailTable Jails { get; }

    /// <summary>prison0, the host.</summary>
    public Jail Prison0 => Jails.Prison0;

    /// <summary>
    /// The jail with jid <paramref name="jid"/>, alive or dying, or null when there is none (or it is
    /// still being created, or already freed): FreeBSD's <c>prison_find</c> (sys/kern/kern_jail.c). A
    /// host uses it to read its own service slots of a jail it made with <c>jail_set</c>
    /// (<see cref="ServiceSlot{T}.Get"/>); no visibility check, as for any kernel code.
    /// </summary>
    public Jail? FindJail(int jid) => Jails.Find(jid);

    /// <summary>The jail services KPI.</summary>
    public ServiceRegistry Services { get; }

    /// <summary>Resource accounting and limits per jail (racct and rctl).</summary>
    internal Racct Racct { get; }

    /// <summary>The process table.</summary>
    internal ProcessTable Processes { get; }

    /// <summary>The sysctl tree.</summary>
    internal SysctlTree Sysctl { get; }

    /// <summary>
    /// The syscall table (FreeBSD's <c>sysent</c>): where modules bind the implementations of syscall
    /// contracts (through <see cref="ModuleContext"/>). Userland does not call through it: it calls
    /// <see cref="Syscalls"/>.
    /// </summary>
    internal SyscallTable Sysent { get; }

    /// <summary>
    /// The system call interface: every call userland makes (jail_set, shmget, kldload, sysctl, kenv,
    /// ...), each taking the calling process first and returning the errno FreeBSD would.
    /// </summary>
    public SyscallInterface Syscalls { get; }

    /// <summary>File system types and the mount table: mount, unmount, statfs.</summary>
    internal VirtualFileSystem Vfs { get; }

    /// <summary>Loaded modules: kldload, kldunload, kldstat.</summary>
    internal ModuleManager Modules { get; }

    /// <summary>Snapshot providers and the kernel snapshot (see <see cref="Snapshot"/>).</summary>
    internal KernelSnapshot Snapshots { get; }

    /// <summary>A deterministic text dump of the kernel and every snapshot provider; <paramref name="only"/> picks one section.</summary>
    public string Snapshot(string? only = null) => Snapshots.Take(only);

    /// <summary>The kernel environment (tunables modules read at load); set at boot from <see cref="KernelOptions.Tunables"/>, later by kenv(2).</summary>
    internal Kenv Kenv { get; } = new();

    /// <summary>pid 1: root in prison0, the parent of processes the kernel starts.</summary>
    public Proc Init { get; }

    /// <summary>Unloads every module, newest first.</summary>
    public void Dispose() => Modules.UnloadAll();
}
