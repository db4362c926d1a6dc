using Prison.Core.Jails;
using Prison.Core.Procs;

namespace Prison.Core.Syscalls;

public sealed partial class SyscallInterface
{
    /// <summary>
    /// jail_set(2) (FreeBSD <c>kern_jail_set</c>, sys/kern/kern_jail.c): creates a jail
    /// (<see cref="JailFlags.Create"/>), updates one (<see cref="JailFlags.Update"/>), and optionally attaches
    /// the caller (<see cref="JailFlags.Attach"/>). The jail is named by <c>jid</c> or <c>name</c>
    /// (relative to the caller's jail; dots name the parent).
    /// </summary>
    /// <returns>
    /// The jid. EPERM (the caller may not set, <c>children.max</c> reached, a limit or flag above the
    /// parent's, "prison limit exceeded"); EINVAL (bad flags or parameters, "new jail must persist or
    /// attach", "cannot change jail's parent"); EEXIST / ENOENT for names and jids; EAGAIN for a dying
    /// jail; a service's <c>check</c> error. Nothing changes on failure (docs/cli.md has the rule table).
    /// </returns>
    public SysResult<int> JailSet(Proc td, JailParams parameters, JailFlags flags) =>
        _kernel.Jails.Syscalls.Set(td, parameters, flags);

    /// <summary>
    /// jail_get(2): a copy of the requested parameters of one jail the caller can see, named by
    /// <c>jid</c>, <c>name</c>, or <c>lastjid</c> (the next visible jail after that jid, how jls(8) walks).
    /// </summary>
    /// <returns>The parameters; ENOENT (no such visible jail), EINVAL (bad flags, unknown parameter), EBADF/EPERM for descriptors.</returns>
    public SysResult<JailParams> JailGet(Proc td, JailParams request, JailFlags flags = JailFlags.None) =>
        _kernel.Jails.Syscalls.Get(td, request, flags);

    /// <summary>
    /// jail_attach(2): moves the caller into a jail it can see. EPERM without the privilege; EINVAL for
    /// a jail that does not exist or is not visible; EBUSY for a multithreaded process or one sharing its
    /// address space, or when a service's <c>attach</c> method refuses (the message says why).
    /// </summary>
    /// <returns>The jid attached to.</returns>
    public SysResult<int> JailAttach(Proc td, int jid) => _kernel.Jails.Syscalls.AttachTo(td, jid);

    /// <summary>
    /// jail_remove(2): removes a jail the caller can see and its descendants; their processes are
    /// killed. EPERM without the privilege; EINVAL for no such visible jail.
    /// </summary>
    public Errno JailRemove(Proc td, int jid) => _kernel.Jails.Syscalls.Remove(td, jid);

    /// <summary>
    /// jail_attach_jd(2): attaches the caller to a jail descriptor's jail with the permission of the
    /// process that created the descriptor. EBADF (not an open jail descriptor), ENOTCAPABLE (the
    /// descriptor lacks the right), EPERM (its creator may not attach), then jail_attach's errors.
    /// </summary>
    public SysResult<int> JailAttachJd(Proc td, int fd) => _kernel.Jails.Syscalls.AttachJd(td, fd);

    /// <summary>jail_remove_jd(2): removes a descriptor's jail with its creator's permission; EBADF, ENOTCAPABLE, EPERM.</summary>
    public Errno JailRemoveJd(Proc td, int fd) => _kernel.Jails.Syscalls.RemoveJd(td, fd);

    /// <summary>
    /// What libjail reads from <c>security.jail.param.NAME</c> before a jail_set: the parameter a name
    /// (and value) resolves to, with the <c>no</c> prefix of a boolean folded, or null when no loaded
    /// code defines it (a parameter whose module is not loaded).
    /// </summary>
    /// <returns>A copy of the parameter's description (its name, type, choices and whether it is read-only).</returns>
    public JailParameterDefinition? JailParam(Proc td, string name, string? value = null)
    {
        ArgumentNullException.ThrowIfNull(td);
        ArgumentNullException.ThrowIfNull(name);
        return _kernel.Jails.Parameters.Resolve(name, value)?.Param;
    }
}
