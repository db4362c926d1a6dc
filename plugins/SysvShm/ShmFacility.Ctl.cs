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
    public SysResult<int> ShmCtl(Proc p, int shmid, int cmd, ref ShmidDs buf)
    {
        var cred = p.Cred;
        if (Namespaces.RootOf(cred.Jail) is not { } root)
            return Errno.ENOSYS;
        var release = new List<JailReference>();
        SysResult<int> result;
        lock (_lock)
            result = ControlLocked(cred, root, shmid, cmd, ref buf, release);
        ReleaseAll(release);
        return result;
    }

    /// <summary>FreeBSD's <c>kern_shmctl_locked</c>.</summary>
    private SysResult<int> ControlLocked(Ucred cred, Jail root, int shmid, int cmd, ref ShmidDs buf, List<JailReference> release)
    {
        Debug.Assert(_lock.IsHeldByCurrentThread, "the module lock must be held");
        // Linux-compatibility commands answer before any lookup; FreeBSD returns shmalloced (= shmmni).
        // The shminfo / shm_info structure itself has no place in a shmid_ds, so buf is left alone.
        if (cmd is IPC_INFO or SHM_INFO)
            return SysResult<int>.Success((int)Limits.ShmMni);
        var seg = cmd == SHM_STAT ? FindByIndexLocked(root, shmid) : FindLocked(root, shmid);
        if (seg is null)
            return Errno.EINVAL;
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
            case IPC_RMID:
                error = IpcPermissions.Check(cred, seg.Perm, IpcPermissions.IPC_M);
                if (error != Errno.OK)
                    return error;
                RemoveLocked(seg, release);
                AssertInvariants();
                return SysResult<int>.Success(0);
            default:
                return Errno.EINVAL;
        }
    }
}
