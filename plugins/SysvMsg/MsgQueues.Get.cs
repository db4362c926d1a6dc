using Prison.Core;
using Prison.Core.Ipc;
using Prison.Core.Ipc.Sysv;
using Prison.Core.Jails;
using Prison.Core.Procs;

namespace Prison.Plugins.SysvMsg;

internal sealed partial class MsgQueues
{
    /// <summary>
    /// msgget(2) in FreeBSD's order: ENOSYS when disabled in the caller's jail; an existing key (created in
    /// the caller's own jail) gives EEXIST with IPC_CREAT|IPC_EXCL, then EACCES unless ipcperm grants
    /// <c>msgflg &amp; 0700</c>; a new queue needs IPC_PRIVATE or IPC_CREAT (else ENOENT) and a free slot
    /// below msgmni (else ENOSPC).
    /// </summary>
    public SysResult<int> MsgGet(Proc p, int key, int msgflg)
    {
        Enter();
        try
        {
            return Get(p, key, msgflg);
        }
        finally
        {
            Leave();
        }
    }

    private SysResult<int> Get(Proc p, int key, int msgflg)
    {
        var cred = p.Cred;
        var jail = cred.Jail;
        if (Namespaces.RootOf(jail) is null)
            return Errno.ENOSYS;
        int msqid;
        lock (_lock)
        {
            if (_closed)
                return Errno.ENOSYS;
            if (key != IpcConstants.IPC_PRIVATE)
            {
                foreach (var (id, q) in _queues.Live())
                {
                    if (q.Perm.Key != key || !SysvNamespaces.KeyMatches(jail, q.Creator))
                        continue;
                    if ((msgflg & IpcConstants.IPC_CREAT) != 0 && (msgflg & IpcConstants.IPC_EXCL) != 0)
                        return Errno.EEXIST;
                    var denied = IpcPermissions.Check(cred, q.Perm, msgflg & 0x1c0);
                    return denied != Errno.OK ? denied : SysResult<int>.Success(id);
                }
            }
            if (key != IpcConstants.IPC_PRIVATE && (msgflg & IpcConstants.IPC_CREAT) == 0)
                return Errno.ENOENT;
            // The queue holds its creator jail, as FreeBSD's queue holds its creator's credential.
            // TryHold, not Hold: a process killed with its jail may still call in here while the jail is
            // being freed (its namespace is gone), and Hold would bring it back to life, to be freed twice.
            if (!jail.TryHold())
                return Errno.ENOSYS;
            var perm = new IpcPerm(cred.Uid, cred.Gid, cred.Uid, cred.Gid, msgflg & IpcPermissions.ACCESSPERMS, 0, key);
            var queue = new MessageQueue(jail, perm, (ulong)Limits.Msgmnb, Now());
            msqid = _queues.Allocate(queue, Limits.Msgmni);
            if (msqid >= 0)
            {
                queue.Id = msqid;
                queue.Perm = perm with { Seq = IpcIds.SeqOf(msqid) };
                return SysResult<int>.Success(msqid);
            }
        }
        // No slot: the reference goes back outside the lock (a last release frees the jail).
        jail.Release();
        return Errno.ENOSPC;
    }
}
