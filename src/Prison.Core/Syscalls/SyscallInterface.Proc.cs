using Prison.Core.Procs;

namespace Prison.Core.Syscalls;

// Processes: fork, exit, credentials, kill, and the kern.proc sysctl.
public sealed partial class SyscallInterface
{
    /// <summary>fork(2): a child of <paramref name="td"/> with its credential and a copy of its descriptor table.</summary>
    /// <param name="td">The parent.</param>
    /// <param name="command">The child's command name (argv[0] after the exec that usually follows); the parent's when null.</param>
    /// <returns>The child; ENOENT when the parent's jail is no longer alive (it is being removed).</returns>
    public SysResult<Proc> Fork(Proc td, string? command = null) => _kernel.Processes.Fork(td, command);

    /// <summary>
    /// exit(2): the process's modules clean up after it (segments detached, SEM_UNDO applied), its blocked
    /// calls wake, its descriptors close, and its jail loses a user reference (a jail without
    /// <c>persist</c> dies with its last process). Exiting twice does nothing.
    /// </summary>
    public void Exit(Proc td)
    {
        ArgumentNullException.ThrowIfNull(td);
        _kernel.Processes.Exit(td);
    }

    /// <summary>seteuid(2): EPERM unless the uid is unchanged, is the real uid, or the caller holds PRIV_CRED_SETUID.</summary>
    public Errno SetUid(Proc td, uint uid) => _kernel.Processes.SetUid(td, uid);

    /// <summary>setegid(2): EPERM unless the gid is unchanged or the caller holds PRIV_CRED_SETGID.</summary>
    public Errno SetGid(Proc td, uint gid) => _kernel.Processes.SetGid(td, gid);

    /// <summary>setgroups(2): EPERM without PRIV_CRED_SETGROUPS.</summary>
    public Errno SetGroups(Proc td, IReadOnlyList<uint> groups) => _kernel.Processes.SetGroups(td, groups);

    /// <summary>
    /// kill(2) of one process (sys/kern/kern_sig.c): ESRCH when no live process has <paramref name="pid"/>
    /// or the caller cannot see it (<c>p_cansee</c>: its jail is the caller's or a descendant, as
    /// <c>prison_check</c>); EPERM when the caller may not signal it (<c>p_cansignal</c>: root, or the same
    /// uid). Signal 0 only checks. SIGKILL ends the process; any other signal interrupts its blocked
    /// calls (EINTR). init (pid 1) takes no signal.
    /// </summary>
    public Errno Kill(Proc td, int pid, int signal)
    {
        ArgumentNullException.ThrowIfNull(td);
        if (signal is < 0 or > SignalMax)
            return Errno.EINVAL;
        var target = _kernel.Processes.Find(pid);
        if (target is null || target.HasExited || !CanSee(td, target))
            return Errno.ESRCH;
        if (!td.Cred.IsRoot && td.Cred.Uid != target.Cred.Uid && Priv.Check(td.Cred, Privilege.Signal) != Errno.OK)
            return Errno.EPERM;
        if (signal == 0 || target == _kernel.Init)
            return Errno.OK;
        if (signal == SigKill)
            _kernel.Processes.Exit(target);
        else
            target.Signal();
        return Errno.OK;
    }

    /// <summary>
    /// <c>kern.proc.all</c> (sys/kern/kern_proc.c, <c>sysctl_kern_proc</c>): a copy of every live process
    /// the caller can see, by pid. A process is visible when its jail is the caller's or a descendant of
    /// it (<c>p_cansee</c> → <c>prison_check</c>), so a jail sees its own processes and its children's,
    /// never its parent's or a sibling's. The sysctl of that name answers the same.
    /// </summary>
    public IReadOnlyList<KinfoProc> ProcList(Proc td)
    {
        ArgumentNullException.ThrowIfNull(td);
        return ProcAll(td.Cred);
    }

    /// <summary>What <c>kern.proc.all</c> returns to <paramref name="viewer"/> (the sysctl node and <see cref="ProcList"/>).</summary>
    internal IReadOnlyList<KinfoProc> ProcAll(Ucred viewer) =>
        _kernel.Processes.All
            .Where(p => viewer.Jail.IsSelfOrAncestorOf(p.Jail))
            .Select(p => new KinfoProc(p.Pid, p.Parent?.Pid ?? 0, p.Jail.Id, p.Cred.Uid, p.Cred.Gid, p.Command))
            .ToArray();

    private const int SigKill = 9;
    private const int SignalMax = 128;

    private static bool CanSee(Proc td, Proc target) => td.Jail.IsSelfOrAncestorOf(target.Jail);
}
