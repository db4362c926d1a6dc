using Prison.Core;
using Prison.Core.Ipc;
using Prison.Core.Ipc.Sysv;
using Prison.Core.Jails;
using Prison.Core.Procs;
using Prison.Core.Rctl;

namespace Prison.Plugins.SysvMsg;

internal sealed partial class MsgFacility
{
    /// <summary>
    /// msgget(2) in FreeBSD's order: ENOSYS when disabled in the caller's jail; an existing key (created in
    /// the caller's own jail) gives EEXIST with IPC_CREAT|IPC_EXCL, then EACCES unless ipcperm grants
    /// <c>msgflg &amp; 0700</c>; a new queue needs IPC_PRIVATE or IPC_CREAT (else ENOENT) and a free slot
    /// below msgmni (else ENOSPC).
    /// </summary>
    public SysResult<int> MsgGet(Proc p, int key, int msgflg)
    {
        return Get(p, key, msgflg);
    }

    private SysResult<int> Get(Proc p, int key, int msgflg)
    {
        var cred = p.Cred;
        var jail = cred.Jail;
        if (Namespaces.RootOf(jail) is null)
            return Errno.ENOSYS;
        // An existing key is answered without the module lock (a lock-free probe, then the queue's lock).
        if (!_closed && _byKey.Find(jail, key) is { } found && TryGetExisting(cred, found, msgflg, out var answer))
            return answer;
        Errno failure;
        JailReference? creator;
        lock (_lock)
        {
            if (_closed)
                return Errno.ENOSYS;
            // Under the module lock the key index is exact: a queue found here is not removed.
            if (_byKey.Find(jail, key) is { } q)
            {
                TryGetExisting(cred, q, msgflg, out var result);
                return result;
            }
            if (key != IpcConstants.IPC_PRIVATE && (msgflg & IpcConstants.IPC_CREAT) == 0)
                return Errno.ENOENT;
            // The queue holds its creator jail, as FreeBSD's queue holds its creator's credential.
            // TryHold refuses a jail being freed: a process killed with its jail may still call in here
            // then (its namespace is gone), and a reference taken on it would bring the jail back to life,
            // to be freed twice. The handle is stored in the queue and given back once, at its removal.
            if (!Namespaces.MayCreateIn(jail) || !jail.TryHold(out creator))
                return Errno.ENOSYS;
            var perm = new IpcPerm(cred.Uid, cred.Gid, cred.Uid, cred.Gid, msgflg & IpcPermissions.ACCESSPERMS, 0, key);
            // racct, as FreeBSD once a slot is known to be free (both errors are ENOSPC, so charging first
            // changes no outcome): nmsgq charged to the creator's jail and its ancestors; Remove gives it back.
            failure = _racct.Charge(jail, RacctResource.Nmsgq, 1);
            if (failure == Errno.OK)
            {
                var queue = new MessageQueue(creator, perm, (ulong)Limits.Msgmnb, Now());
                var msqid = _queues.Allocate(queue, Limits.Msgmni, static (q, id) =>
                {
                    q.Id = id;
                    q.Perm = q.Perm with { Seq = IpcIds.SeqOf(id) };
                });
                if (msqid >= 0)
                {
                    _byKey.Add(jail, key, queue);
                    AssertInvariants();
                    return SysResult<int>.Success(msqid);
                }
                _racct.Release(jail, RacctResource.Nmsgq, 1);
                failure = Errno.ENOSPC;
            }
        }
        // Nothing was created: the reference goes back outside the lock (a last release frees the jail).
        creator.Dispose();
        return failure;
    }

    /// <summary>
    /// msgget on an existing queue: EEXIST (IPC_CREAT|IPC_EXCL), EACCES, or its id. False when the queue was
    /// removed after the lock-free lookup (the caller retries under the module lock).
    /// </summary>
    private static bool TryGetExisting(Ucred cred, MessageQueue q, int msgflg, out SysResult<int> result)
    {
        lock (q.Gate)
        {
            if (q.Removed)
            {
                result = Errno.EINVAL;
                return false;
            }
            var error = IpcPermissions.CheckGet(cred, q.Perm, msgflg);
            result = error != Errno.OK ? error : SysResult<int>.Success(q.Id);
            return true;
        }
    }
}
