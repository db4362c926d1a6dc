using System.Diagnostics;
using Prison.Core;
using Prison.Core.Ipc;
using Prison.Core.Ipc.Sysv;
using Prison.Core.Jails;
using Prison.Core.Procs;
using static Prison.Core.Ipc.IpcConstants;

namespace Prison.Plugins.SysvShm;

/// <summary>shmctl, with FreeBSD's (sys/kern/sysv_shm.c, 11+) checks in FreeBSD's order.</summary>
internal sealed partial class ShmFacility
{
    /// <inheritdoc />
    /// <remarks>
    /// IPC_STAT, SHM_STAT and IPC_SET take only the segment's lock (the lookup is lock-free and checked
    /// again under it); IPC_RMID takes the module lock, then the segment's.
    /// </remarks>
    public SysResult<int> ShmCtl(Proc p, int shmid, int cmd, ref ShmidDs buf)
    {
        var cred = p.Cred;
        if (Namespaces.RootOf(cred.Jail) is not { } root)
            return Errno.ENOSYS;
        // Linux-compatibility commands answer before any lookup; FreeBSD returns shmalloced (= shmmni).
        // The shminfo / shm_info structure itself has no place in a shmid_ds, so buf is left alone.
        if (cmd is IPC_INFO or SHM_INFO)
            return SysResult<int>.Success((int)Limits.ShmMni);
        if (cmd != IPC_RMID)
        {
            var seg = cmd == SHM_STAT ? FindByIndex(root, shmid) : Find(root, shmid);
            if (seg is null)
                return Errno.EINVAL;
            lock (seg.Gate)
                return UsableUnderGate(seg) ? Control(cred, seg, cmd, ref buf) : Errno.EINVAL;
        }
        var release = new List<JailReference>();
        SysResult<int> result;
        lock (_lock)
            result = RemoveById(cred, root, shmid, release);
        ReleaseAll(release);
        return result;
    }

    /// <summary>FreeBSD's <c>kern_shmctl_locked</c> for every command but IPC_RMID, under the segment's lock.</summary>
    private SysResult<int> Control(Ucred cred, ShmSegment seg, int cmd, ref ShmidDs buf)
    {
        Debug.Assert(seg.Gate.IsHeldByCurrentThread, "the segment's lock must be held");
        Errno error;
        switch (cmd)
        {
            case IPC_STAT:
            case SHM_STAT:
                error = IpcPermissions.Check(cred, seg.Perm, IpcPermissions.IPC_R);
                if (error != Errno.OK)
                    return error;
                buf = seg.ToDs(SysvNamespaces.KeyAsSeenBy(cred.Jail, seg.Creator, seg.Key));
                return SysResult<int>.Success(cmd == SHM_STAT ? seg.Id : 0);
            case IPC_SET:
                error = IpcPermissions.Check(cred, seg.Perm, IpcPermissions.IPC_M);
                if (error != Errno.OK)
                    return error;
                seg.Uid = buf.Perm.Uid;
                seg.Gid = buf.Perm.Gid;
                seg.Mode = buf.Perm.Mode & IpcPermissions.ACCESSPERMS;
                seg.Ctime = Now;
                return SysResult<int>.Success(0);
            default:
                return Errno.EINVAL;
        }
    }

    /// <summary>IPC_RMID under the module lock: the segment's lock is held for the check and the removal.</summary>
    private SysResult<int> RemoveById(Ucred cred, Jail root, int shmid, List<JailReference> release)
    {
        Debug.Assert(_lock.IsHeldByCurrentThread, "the module lock must be held");
        if (Find(root, shmid) is not { } seg)
            return Errno.EINVAL;
        lock (seg.Gate)
        {
            if (!UsableUnderGate(seg))
                return Errno.EINVAL;
            var error = IpcPermissions.Check(cred, seg.Perm, IpcPermissions.IPC_M);
            if (error != Errno.OK)
                return error;
            RemoveLocked(seg, release);
        }
        // After the segment's lock is let go: the check takes every address space's lock.
        AssertInvariants();
        return SysResult<int>.Success(0);
    }
}
