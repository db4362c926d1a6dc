namespace Prison.Core.Procs;

/// <summary>Privileges checked with <see cref="Priv.Check"/> (a subset of FreeBSD's priv(9) list).</summary>
public enum Privilege
{
    /// <summary>Create or update jails (jailed root: children only).</summary>
    JailSet,
    /// <summary>Attach a process to a jail.</summary>
    JailAttach,
    /// <summary>Remove a jail.</summary>
    JailRemove,
    /// <summary>Load a kernel module (host only).</summary>
    KldLoad,
    /// <summary>Unload a kernel module (host only).</summary>
    KldUnload,
    /// <summary>Write a sysctl (host only unless the node is jail-writable).</summary>
    SysctlWrite,
    /// <summary>Bypass IPC read permission.</summary>
    IpcRead,
    /// <summary>Bypass IPC write permission.</summary>
    IpcWrite,
    /// <summary>Administer IPC objects owned by others.</summary>
    IpcAdmin,
    /// <summary>Raise a message queue's byte limit.</summary>
    IpcMsgSize,
    /// <summary>Mount a file system.</summary>
    VfsMount,
    /// <summary>Unmount a file system.</summary>
    VfsUnmount,
    /// <summary>Attach or detach ZFS datasets to jails (host only).</summary>
    ZfsJail,
    /// <summary>Administer ZFS datasets.</summary>
    VfsAdmin,
    /// <summary>Manage users (pw) in one's own jail.</summary>
    UserAdmin,
    /// <summary>Change credentials (setuid).</summary>
    CredSetUid,
    /// <summary>Change resource limits.</summary>
    RctlAdmin,
    /// <summary>Signal another user's processes.</summary>
    Signal,
    /// <summary>Set a kernel environment variable (PRIV_KENV_SET; host only).</summary>
    KenvSet,
    /// <summary>Unset a kernel environment variable (PRIV_KENV_UNSET; host only).</summary>
    KenvUnset,
}

/// <summary>Privilege checks: FreeBSD's <c>priv_check_cred</c> with <c>prison_priv_check</c>.</summary>
public static class Priv
{
    /// <summary>
    /// Returns <see cref="Errno.OK"/> when <paramref name="cred"/> holds <paramref name="priv"/>, else
    /// <see cref="Errno.EPERM"/>. Root of prison0 holds every privilege; root in a jail holds those a
    /// jail may grant (jail management of its children, IPC, its own users, mounting where allowed).
    /// </summary>
    public static Errno Check(Ucred cred, Privilege priv)
    {
        if (!cred.IsRoot)
            return Errno.EPERM;
        if (!cred.IsJailed)
            return Errno.OK;
        return priv switch
        {
            Privilege.JailSet or Privilege.JailAttach or Privilege.JailRemove => Errno.OK,
            Privilege.IpcRead or Privilege.IpcWrite or Privilege.IpcAdmin or Privilege.IpcMsgSize => Errno.OK,
            Privilege.UserAdmin or Privilege.CredSetUid or Privilege.Signal or Privilege.VfsAdmin => Errno.OK,
            // Mounting from a jail is decided by the VFS (allow.mount, VFCF_JAIL, enforce_statfs).
            Privilege.VfsMount or Privilege.VfsUnmount => cred.Jail.IsAllowed("allow.mount") ? Errno.OK : Errno.EPERM,
            _ => Errno.EPERM,
        };
    }
}
