using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Prison.Core;
using Prison.Core.Jails;
using Prison.Core.Procs;
using Prison.Core.Syscalls;

namespace Prison.Testing;

/// <summary>
/// A kernel booted for a plugin's tests, with the plugin loaded from its build output, the way a host
/// loads it (kldload on its own collectible context). Create jails, spawn processes in them, and call
/// sysctls and syscalls as those processes.
/// </summary>
/// <remarks>
/// <para>The plugin is looked up as <c>plugins/NAME/NAME.dll</c> beside the test assembly. A test
/// project gets it there by marking its reference to the plugin project <c>PrisonPluginUnderTest="true"</c> (the
/// Prison.Testing package builds it first and copies its output), or by any copy of its own.</para>
/// <para>Time is a <see cref="ManualTimeProvider"/> (snapshots do not depend on the wall clock).</para>
/// </remarks>
public sealed class PluginTestKernel : IDisposable
{
    /// <summary>Boots a kernel and kldloads <paramref name="module"/>.</summary>
    /// <param name="module">The plugin's name (its folder and file name: <c>hits</c> for
    /// <c>plugins/hits/hits.dll</c>), or a path to its .dll.</param>
    /// <param name="loggerFactory">Where the kernel and the module log; none by default.</param>
    /// <param name="modulePath"><c>kern.module_path</c> (folders separated by ';'); by default
    /// <c>plugins/</c> beside the test assembly.</param>
    /// <exception cref="KernelErrorException">kldload failed; <see cref="KernelErrorException.Error"/> is its errno
    /// (ENOENT when the plugin is not there, ENOEXEC when it has no module, the load hook's error).</exception>
    public PluginTestKernel(string module, ILoggerFactory? loggerFactory = null, string? modulePath = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(module);
        modulePath ??= Path.Combine(AppContext.BaseDirectory, "plugins");
        Time = new ManualTimeProvider();
        Kernel = new Kernel(new KernelOptions
        {
            LoggerFactory = loggerFactory ?? NullLoggerFactory.Instance,
            ModulePath = modulePath,
            Time = Time,
        });
        var loaded = Kernel.Syscalls.KldLoad(Kernel.Init, module);
        if (!loaded.Ok)
        {
            Kernel.Dispose();
            throw new KernelErrorException(loaded.Error, $"kldload {module} (kern.module_path {modulePath}): {loaded.ErrorText}");
        }
        Module = Kernel.Syscalls.KldStat(Kernel.Init, loaded.Value).Value;
    }

    /// <summary>The kernel.</summary>
    public Kernel Kernel { get; }

    /// <summary>The kernel's clock: advance it to move time on.</summary>
    public ManualTimeProvider Time { get; }

    /// <summary>The plugin's kldstat(2) row, as it was right after the load (a copy; ask
    /// <c>Kernel.Syscalls.KldStat</c> for the current one).</summary>
    public KldFileStat Module { get; }

    /// <summary>
    /// <c>jail -c name=NAME persist PARAM=VALUE...</c> as root of the host.
    /// </summary>
    /// <param name="name">The jail's name.</param>
    /// <param name="parameters">More parameters (<c>("hits.max", "3")</c>; a null value for a boolean).</param>
    /// <returns>The new jail.</returns>
    /// <exception cref="KernelErrorException">jail_set failed; the errno FreeBSD's jail(8) would report.</exception>
    public Jail CreateJail(string name, params (string Name, string? Value)[] parameters)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(parameters);
        var p = new JailParams { ["name"] = name, ["persist"] = null };
        foreach (var (n, v) in parameters)
            p[n] = v;
        var r = Kernel.Syscalls.JailSet(Kernel.Init, p, JailFlags.Create);
        if (!r.Ok)
            throw new KernelErrorException(r.Error, $"jail -c {name}: {r.ErrorText}");
        return Kernel.FindJail(r.Value)!;
    }

    /// <summary>
    /// Spawns a process in <paramref name="jail"/> (root of the jail unless <paramref name="uid"/> says
    /// otherwise) as jexec(8) does: init forks, the child attaches to the jail (jail_attach), then sets
    /// its groups, gid and uid.
    /// </summary>
    /// <exception cref="KernelErrorException">The jail is dying or gone (jail_attach's EINVAL).</exception>
    public Proc Spawn(Jail jail, uint uid = 0, string command = "sh")
    {
        ArgumentNullException.ThrowIfNull(jail);
        var sys = Kernel.Syscalls;
        var child = sys.Fork(Kernel.Init, command);
        if (!child.Ok)
            throw new KernelErrorException(child.Error, $"spawn in {jail}: {child.ErrorText}");
        var proc = child.Value;
        var attached = sys.JailAttach(proc, jail.Id);
        var error = attached.Ok ? Errno.OK : attached.Error;
        if (error == Errno.OK && uid != 0)
            error = sys.SetGroups(proc, []) is var g && g != Errno.OK ? g : sys.SetGid(proc, uid) is var e && e != Errno.OK ? e : sys.SetUid(proc, uid);
        if (error != Errno.OK)
        {
            sys.Exit(proc);
            throw new KernelErrorException(error, $"spawn in {jail}: {(attached.Ok ? error.ToString() : attached.ErrorText)}");
        }
        return proc;
    }

    /// <summary>sysctl(3) read of <paramref name="name"/> as <paramref name="proc"/> (ENOENT for an unknown name).</summary>
    public SysResult<object> Sysctl(Proc proc, string name)
    {
        ArgumentNullException.ThrowIfNull(proc);
        return Kernel.Syscalls.Sysctl(proc, name);
    }

    /// <summary>sysctl(3) write of <paramref name="name"/> as <paramref name="proc"/>: EPERM for a read-only node or a jailed writer of a host-only node.</summary>
    public Errno SetSysctl(Proc proc, string name, string value)
    {
        ArgumentNullException.ThrowIfNull(proc);
        return Kernel.Syscalls.SysctlWrite(proc, name, value);
    }

    /// <summary>
    /// Calls a syscall of contract <typeparamref name="TContract"/> (bound by a module with
    /// <c>RegisterSyscalls</c>) the way the kernel's dispatcher does: inside the contract's gate, so an
    /// unload waits for the call. ENOSYS when no loaded module provides the contract.
    /// </summary>
    public SysResult<TResult> Syscall<TContract, TResult>(Func<TContract, SysResult<TResult>> call) where TContract : class =>
        Kernel.Syscalls.Call(call);

    /// <summary>The kernel's snapshot text (see <see cref="Snapshot.Verify"/>), whole or one section.</summary>
    public string Snapshot(string? only = null) => Kernel.Snapshot(only);

    /// <summary>kldunload of the plugin: the errno of a refusal (EBUSY from its QueryUnload).</summary>
    public SysResult<int> Unload(bool force = false) => Kernel.Syscalls.KldUnload(Kernel.Init, Module.Id, force);

    /// <summary>Unloads every module and shuts the kernel down.</summary>
    public void Dispose() => Kernel.Dispose();
}
