using Prison.Core.Procs;

namespace Prison.Core.Ipc.Sysv;

/// <summary>FreeBSD's <c>ipcperm()</c> (sys/kern/sysv_ipc.c).</summary>
public static class IpcPermissions
{
    /// <summary>Read access.</summary>
    public const int IPC_R = 0x100;
    /// <summary>Write (alter) access.</summary>
    public const int IPC_W = 0x080;
    /// <summary>Administrative access: owner or creator, else privilege.</summary>
    public const int IPC_M = 0x1000;

    /// <summary>The permission bits of a mode.</summary>
    public const int ACCESSPERMS = 0x1ff;

    /// <summary>
    /// The checks msgget(2) and semget(2) make when the key already names an object (sys/kern/sysv_msg.c
    /// and sysv_sem.c, the "key found" branch): EEXIST when <paramref name="flg"/> asks for a new object
    /// (IPC_CREAT|IPC_EXCL), then <see cref="Check"/> of the mode bits in <paramref name="flg"/> (EACCES);
    /// <see cref="Errno.OK"/> when the caller may have the object's id. shmget makes no access check here.
    /// </summary>
    public static Errno CheckGet(Ucred cred, in IpcPerm perm, int flg)
    {
        if ((flg & IpcConstants.IPC_CREAT) != 0 && (flg & IpcConstants.IPC_EXCL) != 0)
            return Errno.EEXIST;
        return Check(cred, perm, flg & 0x1c0);
    }

    /// <summary>
    /// Checks <paramref name="accMode"/> (a mix of <see cref="IPC_R"/>, <see cref="IPC_W"/>,
    /// <see cref="IPC_M"/>) against the object's permissions. Owner or creator uses the owner bits and has
    /// IPC_M; a group member the group bits; anyone else the other bits. What DAC does not grant, root's
    /// privileges (PRIV_IPC_READ / WRITE / ADMIN) may. Every denial is EACCES.
    /// </summary>
    public static Errno Check(Ucred cred, in IpcPerm perm, int accMode)
    {
        var granted = 0;
        int objMode;
        if (cred.Uid == perm.Cuid || cred.Uid == perm.Uid)
        {
            objMode = perm.Mode;
            granted |= IPC_M;
        }
        else if (cred.IsGroupMember(perm.Gid) || cred.IsGroupMember(perm.Cgid))
        {
            objMode = perm.Mode << 3;
        }
        else
        {
            objMode = perm.Mode << 6;
        }
        if ((objMode & IPC_R) != 0)
            granted |= IPC_R;
        if ((objMode & IPC_W) != 0)
            granted |= IPC_W;
        if ((granted & accMode) == accMode)
            return Errno.OK;

        if ((accMode & IPC_M) != 0 && (granted & IPC_M) == 0 && Priv.Check(cred, Privilege.IpcAdmin) == Errno.OK)
            granted |= IPC_M;
        if ((accMode & IPC_R) != 0 && (granted & IPC_R) == 0 && Priv.Check(cred, Privilege.IpcRead) == Errno.OK)
            granted |= IPC_R;
        if ((accMode & IPC_W) != 0 && (granted & IPC_W) == 0 && Priv.Check(cred, Privilege.IpcWrite) == Errno.OK)
            granted |= IPC_W;
        return (granted & accMode) == accMode ? Errno.OK : Errno.EACCES;
    }
}
