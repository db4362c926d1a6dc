using Microsoft.Extensions.Logging;
using Prison.Core;
using Prison.Core.Ipc;
using Prison.Core.Ipc.Sysv;
using Prison.Core.Jails;
using Prison.Core.Procs;
using Prison.Core.Rctl;

namespace Prison.Plugins.SysvSem;

internal sealed partial class SemFacility
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
        // An existing key is answered without the module lock (a lock-free probe, then the set's lock).
        if (key != IpcConstants.IPC_PRIVATE && FindByKey(cred.Jail, key) is { } found
            && TryGetExisting(cred, found, nsems, semflg, out var answer))
        {
            return answer;
        }
        JailReference created;
        var id = -1;
        Errno failure;
        lock (_lock)
        {
            // Under the module lock the key index is exact: a set found here is not removed.
            if (key != IpcConstants.IPC_PRIVATE && FindByKey(cred.Jail, key) is { } existing)
            {
                TryGetExisting(cred, existing, nsems, semflg, out var result);
                return result;
            }
            if (key != IpcConstants.IPC_PRIVATE && (semflg & IpcConstants.IPC_CREAT) == 0)
                return Errno.ENOENT;
            if (nsems <= 0 || nsems > _limits.Semmsl)
                return Errno.EINVAL;
            if (nsems > _limits.Semmns - _semtot)
                return Errno.ENOSPC;
            // The set holds its creator jail, as FreeBSD's semakptr->cred does (crhold): a dying jail
            // stays until its last set is gone. TryHold refuses a jail being freed: a process killed with
            // its jail may still call in here then, and a reference taken on it would bring the jail back
            // to life (to be freed twice). That process is gone: EINTR, as semop says. The handle is
            // stored in the set and given back once, when the set is removed.
            if (!_namespaces.MayCreateIn(cred.Jail) || !cred.Jail.TryHold(out var held))
                return Errno.EINTR;
            created = held;
            // racct, as FreeBSD after its own checks: nsem counts semaphores (not sets), charged to the
            // creator's jail and its ancestors; RemoveLocked gives them back.
            failure = _racct.Charge(created.Jail, RacctResource.Nsem, nsems);
            if (failure == Errno.OK)
            {
                var set = new SemSet(created, key, cred.Uid, cred.Gid, semflg & IpcPermissions.ACCESSPERMS, nsems, Now());
                id = _sets.Allocate(set, _limits.Semmni, static (s, newId) => s.Id = newId);
                if (id >= 0)
                {
                    set.Id = id;
                    _byKey.Add(created.Jail, key, set);
                    _semtot += nsems;
                }
                else
                {
                    _racct.Release(created.Jail, RacctResource.Nsem, nsems);
                    failure = Errno.ENOSPC;
                }
            }
            AssertInvariants();
        }
        if (failure != Errno.OK)
        {
            // Released outside the lock: a last release frees the jail and runs the services' callbacks.
            created.Dispose();
            return failure;
        }
        _log.LogDebug("semaphore set {Id} created: key {Key} nsems {Nsems} jail {Jid}", id, key, nsems, created.Jail.Id);
        return SysResult<int>.Success(id);
    }

    /// <summary>
    /// semget on an existing set: EEXIST (IPC_CREAT|IPC_EXCL), EACCES, EINVAL (smaller than nsems) or its
    /// id. False when the set was removed after the lock-free lookup (the caller retries under the module lock).
    /// </summary>
    private static bool TryGetExisting(Ucred cred, SemSet existing, int nsems, int semflg, out SysResult<int> result)
    {
        lock (existing.Gate)
        {
            if (existing.Removed)
            {
                result = Errno.EINVAL;
                return false;
            }
            if (IpcPermissions.CheckGet(cred, existing.Perm, semflg) is var error && error != Errno.OK)
                result = error;
            else if (nsems > 0 && existing.Sems.Length < nsems)
                result = Errno.EINVAL;
            else
                result = SysResult<int>.Success(existing.Id);
            return true;
        }
    }

    /// <summary>The set with <paramref name="key"/> created in <paramref name="jail"/> itself (keys are per jail).</summary>
    private SemSet? FindByKey(Jail jail, int key) => _byKey.Find(jail, key);
}
