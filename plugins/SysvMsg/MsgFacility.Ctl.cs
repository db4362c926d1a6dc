using System.Diagnostics;
using Prison.Core;
using Prison.Core.Ipc;
using Prison.Core.Ipc.Sysv;
using Prison.Core.Jails;
using Prison.Core.Procs;

namespace Prison.Plugins.SysvMsg;

internal sealed partial class MsgFacility
{
    /// <summary>
    /// msgctl(2) in FreeBSD's order: ENOSYS; EINVAL for an id the caller cannot see; then per command:
    /// IPC_RMID needs IPC_M (EACCES) and wakes every sleeper with EIDRM; IPC_SET needs IPC_M, any raise of
    /// qbytes needs privilege (EPERM), a value above msgmnb is clamped to it and 0 is EINVAL; IPC_STAT
    /// needs read (EACCES) and shows key 0 outside the creator's jail; any other command is EINVAL.
    /// </summary>
    public SysResult<int> MsgCtl(Proc p, int msqid, int cmd, ref MsqidDs buf)
    {
        return Control(p, msqid, cmd, ref buf);
    }

    private SysResult<int> Control(Proc p, int msqid, int cmd, ref MsqidDs buf)
    {
        var cred = p.Cred;
        if (Namespaces.RootOf(cred.Jail) is not { } root)
            return Errno.ENOSYS;
        if (_closed)
            return Errno.ENOSYS;
        Errno error;
        if (cmd == IpcConstants.IPC_RMID)
        {
            List<JailReference> release = [];
            lock (_lock)
            {
                // Under the module lock the table is exact: a queue found here is not removed.
                if (_closed)
                    return Errno.ENOSYS;
                if (Find(msqid, root) is not { } q)
                    return Errno.EINVAL;
                lock (q.Gate)
                    error = RemoveById(cred, q, release);
                AssertInvariants();
            }
            // Segments and headers came free: senders of other queues may be waiting for them.
            if (release.Count != 0)
                PumpStarved();
            ReleaseJails(release);
        }
        else
        {
            if (Find(msqid, root) is not { } q)
                return Errno.EINVAL;
            lock (q.Gate)
            {
                if (q.Removed)
                    return _closed ? Errno.ENOSYS : Errno.EINVAL;
                error = cmd switch
                {
                    IpcConstants.IPC_SET => Set(cred, q, buf),
                    IpcConstants.IPC_STAT => Stat(cred, q, ref buf),
                    _ => Errno.EINVAL,
                };
            }
        }
        return error == Errno.OK ? SysResult<int>.Success(0) : error;
    }

    private Errno RemoveById(Ucred cred, MessageQueue q, List<JailReference> release)
    {
        Debug.Assert(_lock.IsHeldByCurrentThread && q.Gate.IsHeldByCurrentThread, "IPC_RMID runs under the module lock and the queue's lock (docs/locking.md)");
        var denied = IpcPermissions.Check(cred, q.Perm, IpcPermissions.IPC_M);
        if (denied != Errno.OK)
            return denied;
        Remove(q, release);
        return Errno.OK;
    }

    private Errno Set(Ucred cred, MessageQueue q, in MsqidDs buf)
    {
        Debug.Assert(q.Gate.IsHeldByCurrentThread, "IPC_SET runs under the queue's lock (docs/locking.md)");
        var denied = IpcPermissions.Check(cred, q.Perm, IpcPermissions.IPC_M);
        if (denied != Errno.OK)
            return denied;
        if (buf.Qbytes > q.Qbytes && Priv.Check(cred, Privilege.IpcMsgSize) != Errno.OK)
            return Errno.EPERM;
        // Silently restricted to the system limit, as FreeBSD does; 0 is refused (FreeBSD's own errno choice).
        var qbytes = Math.Min(buf.Qbytes, (ulong)Limits.Msgmnb);
        if (qbytes == 0)
            return Errno.EINVAL;
        q.Perm = q.Perm with
        {
            Uid = buf.Perm.Uid,
            Gid = buf.Perm.Gid,
            Mode = (q.Perm.Mode & ~IpcPermissions.ACCESSPERMS) | (buf.Perm.Mode & IpcPermissions.ACCESSPERMS),
        };
        q.Qbytes = qbytes;
        q.Ctime = Now();
        // A raise lets waiting senders in; a cut fails those whose message no longer fits at all.
        PumpLocked(q);
        AssertQueueInvariants(q);
        return Errno.OK;
    }

    private static Errno Stat(Ucred cred, MessageQueue q, ref MsqidDs buf)
    {
        Debug.Assert(q.Gate.IsHeldByCurrentThread, "IPC_STAT runs under the queue's lock (docs/locking.md)");
        var denied = IpcPermissions.Check(cred, q.Perm, IpcPermissions.IPC_R);
        if (denied != Errno.OK)
            return denied;
        buf = q.ToDs(SysvNamespaces.KeyAsSeenBy(cred.Jail, q.Creator, q.Perm.Key));
        return Errno.OK;
    }
}
