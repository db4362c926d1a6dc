using Microsoft.Extensions.Logging;
using Prison.Core;
using Prison.Core.Ipc;
using Prison.Core.Ipc.Sysv;
using Prison.Core.Jails;
using Prison.Core.Procs;
using Prison.Core.Rctl;

namespace Prison.Plugins.SysvSem;

internal sealed partial class SysvSemaphores
{
    /// <summary>
    /// semget(2), FreeBSD's order: ENOSYS; for an existing key of the caller's own jail EEXIST
    /// (IPC_CREAT|IPC_EXCL), EACCES (<c>semflg &amp; 0700</c>), EINVAL (the set is smaller than a positive
    /// nsems; nsems &lt;= 0 just looks up); otherwise, when creating, EINVAL (nsems outside 1..semmsl),
    /// ENOSPC (semmns, then semmni); else ENOENT.
    /// </summary>
    public SysResult<int> SemGet(Proc p, int key, int nsems, int semflg)
    {
        if (RootOf(p) is null)
            return Errno.ENOSYS;
        var cred = p.Cred;
        Jail created;
        int id;
        lock (_gate)
        {
            if (key != IpcConstants.IPC_PRIVATE && FindByKey(cred.Jail, key) is { } existing)
            {
                if ((semflg & IpcConstants.IPC_CREAT) != 0 && (semflg & IpcConstants.IPC_EXCL) != 0)
                    return Errno.EEXIST;
                var denied = IpcPermissions.Check(cred, existing.Perm, semflg & 0x1c0);
                if (denied != Errno.OK)
                    return denied;
                if (nsems > 0 && existing.Sems.Length < nsems)
                    return Errno.EINVAL;
                return SysResult<int>.Success(existing.Id);
            }
            if (key != IpcConstants.IPC_PRIVATE && (semflg & IpcConstants.IPC_CREAT) == 0)
                return Errno.ENOENT;
            if (nsems <= 0 || nsems > _limits.Semmsl)
                return Errno.EINVAL;
            if (nsems > _limits.Semmns - _semtot)
                return Errno.ENOSPC;
            // racct, as FreeBSD after its own checks: nsem counts semaphores (not sets), charged to the
            // creator's jail and its ancestors; RemoveLocked gives them back.
            var charged = _kernel.Racct.Charge(cred.Jail, RacctResource.Nsem, nsems);
            if (charged != Errno.OK)
                return charged;
            var set = new SemSet(cred.Jail, key, cred.Uid, cred.Gid, semflg & IpcPermissions.ACCESSPERMS, nsems, Now());
            id = _sets.Allocate(set, _limits.Semmni);
            if (id < 0)
            {
                _kernel.Racct.Release(cred.Jail, RacctResource.Nsem, nsems);
                return Errno.ENOSPC;
            }
            set.Id = id;
            _byKey.Add(cred.Jail, key, set);
            _semtot += nsems;
            // The set holds its creator jail, as FreeBSD's semakptr->cred does (crhold): a dying jail
            // stays until its last set is gone.
            created = cred.Jail;
            created.Hold();
        }
        _log.LogDebug("semaphore set {Id} created: key {Key} nsems {Nsems} jail {Jid}", id, key, nsems, created.Id);
        return SysResult<int>.Success(id);
    }

    /// <summary>The set with <paramref name="key"/> created in <paramref name="jail"/> itself (keys are per jail).</summary>
    private SemSet? FindByKey(Jail jail, int key) => _byKey.Find(jail, key);
}
