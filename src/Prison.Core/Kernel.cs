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
}

/// <summary>
/// A Prison kernel: prison0 and its jails, the jail services KPI, processes, sysctl, the syscall
/// table and loadable modules. Everything a userland command does goes through it.
/// </summary>
public sealed class Kernel : IDisposable
{
    /// <summary>Boots a kernel: prison0 exists, with an <c>init</c> process (pid 1, root) in it.</summary>
    public Kernel(KernelOptions? options = null)
    {
        options ??= new KernelOptions();
        LoggerFactory = options.LoggerFactory;
        Time = options.Time;
        Sysctl = new SysctlTree();
        Syscalls = new SyscallTable();
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
    public JailTable Jails { get; }

    /// <summary>prison0, the host.</summary>
    public Jail Prison0 => Jails.Prison0;

    /// <summary>The jail services KPI.</summary>
    public ServiceRegistry Services { get; }

    /// <summary>Resource accounting and limits per jail (racct and rctl).</summary>
    public Racct Racct { get; }

    /// <summary>The process table.</summary>
    public ProcessTable Processes { get; }

    /// <summary>The sysctl tree.</summary>
    public SysctlTree Sysctl { get; }

    /// <summary>The syscall table.</summary>
    public SyscallTable Syscalls { get; }

    /// <summary>File system types and the mount table: mount, unmount, statfs.</summary>
    public VirtualFileSystem Vfs { get; }

    /// <summary>Loaded modules: kldload, kldunload, kldstat.</summary>
    public ModuleManager Modules { get; }

    /// <summary>Snapshot providers and the kernel snapshot (see <see cref="Snapshot"/>).</summary>
    internal KernelSnapshot Snapshots { get; }

    /// <summary>A deterministic text dump of the kernel and every snapshot provider; <paramref name="only"/> picks one section.</summary>
    public string Snapshot(string? only = null) => Snapshots.Take(only);

    /// <summary>The kernel environment (tunables modules read at load).</summary>
    public Kenv Kenv { get; } = new();

    /// <summary>pid 1: root in prison0, the parent of processes the kernel starts.</summary>
    public Proc Init { get; }

    /// <summary>Unloads every module, newest first.</summary>
    public void Dispose() => Modules.UnloadAll();
}
