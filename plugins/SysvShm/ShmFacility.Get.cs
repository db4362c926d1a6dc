using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Prison.Core;
using Prison.Core.Ipc.Sysv;
using Prison.Core.Jails;
using Prison.Core.Procs;
using Prison.Core.Rctl;
using static Prison.Core.Ipc.IpcConstants;

namespace Prison.Plugins.SysvShm;

/// <summary>shmget, with FreeBSD's (sys/kern/sysv_shm.c, 11+) checks in FreeBSD's order.</summary>
internal sealed partial class ShmFacility
{
    /// <inheritdoc />
    public SysResult<int> ShmGet(Proc p, int key, ulong size, int shmflg)
    {
        var cred = p.Cred;
        if (Namespaces.RootOf(cred.Jail) is null)
            return Errno.ENOSYS;
        var mode = shmflg & IpcPermissions.ACCESSPERMS;
        // shmget_existing without a lock: the key index is read lock-free and no permission is checked.
        // A segment removed since the probe is left to the locked path.
        if (key != IPC_PRIVATE && !p.HasExited && FindByKey(cred.Jail, key) is { Removed: false } found)
            return Existing(found, size, shmflg);
        // The memory of a new segment is allocated before the lock is taken, once the checks that need
        // no lock passed, so a 512 MiB zero-fill never stalls other callers. It is dropped if the create fails.
        byte[]? data = null;
        if ((key == IPC_PRIVATE || (shmflg & IPC_CREAT) != 0) && PreCheckSize(size))
            data = new byte[size];
        SysResult<int> result;
        JailReference? unused = null;
        lock (_lock)
            result = GetLocked(p, cred, key, size, shmflg, mode, data, ref unused);
        // A creator reference taken for a segment that was not created goes back outside the lock: a last
        // release frees the jail and runs the services' callbacks.
        unused?.Dispose();
        return result;
    }

    /// <summary>shmget under the module lock; <paramref name="unused"/> receives a reference to give back after unlocking.</summary>
    private SysResult<int> GetLocked(Proc p, Ucred cred, int key, ulong size, int shmflg, int mode, byte[]? data, ref JailReference? unused)
    {
        Debug.Assert(_lock.IsHeldByCurrentThread, "the module lock must be held");
        if (p.HasExited)
            return Errno.EINTR;
        if (key != IPC_PRIVATE)
        {
            if (FindByKey(cred.Jail, key) is { } existing)
                return Existing(existing, size, shmflg);
            if ((shmflg & IPC_CREAT) == 0)
                return Errno.ENOENT;
        }
        return AllocateLocked(p, cred, key, size, mode, data, ref unused);
    }

    /// <summary>shmget_existing: EEXIST (IPC_CREAT|IPC_EXCL), EINVAL (bigger than the segment), else its id.</summary>
    private static SysResult<int> Existing(ShmSegment existing, ulong size, int shmflg)
    {
        if ((shmflg & (IPC_CREAT | IPC_EXCL)) == (IPC_CREAT | IPC_EXCL))
            return Errno.EEXIST;
        if (size != 0 && size > existing.Size)
            return Errno.EINVAL;
        return SysResult<int>.Success(existing.Id);
    }

    /// <summary>The size checks of a create that need no lock (the limits are read as they are now).</summary>
    private bool PreCheckSize(ulong size) =>
        size >= (ulong)Limits.ShmMin && size <= (ulong)Limits.ShmMax && size <= (ulong)Array.MaxLength
        && (long)(ShmSegment.RoundPage(size) / PAGE_SIZE) <= Limits.ShmAll;

    /// <summary>FreeBSD's <c>shmget_allocate_segment</c>.</summary>
    private SysResult<int> AllocateLocked(Proc p, Ucred cred, int key, ulong size, int mode, byte[]? data, ref JailReference? unused)
    {
        Debug.Assert(_lock.IsHeldByCurrentThread, "the module lock must be held");
        if (size < (ulong)Limits.ShmMin || size > (ulong)Limits.ShmMax)
            return Errno.EINVAL;
        if (_segments.Count >= Limits.ShmMni)
            return Errno.ENOSPC;
        var pages = (long)(ShmSegment.RoundPage(size) / PAGE_SIZE);
        if (_committedPages + pages > Limits.ShmAll)
            return Errno.ENOMEM;
        if (size > (ulong)Array.MaxLength)
            return Errno.ENOMEM; // the model keeps a segment's bytes in one array
        // racct, as FreeBSD after its own checks: nshm (ENOSPC), then shmsize in whole pages (ENOMEM),
        // charged to the creator's jail and its ancestors; FreeLocked gives both back.
        var racct = _racct;
        var mapLength = (long)ShmSegment.RoundPage(size);
        var charged = racct.Charge(cred.Jail, RacctResource.Nshm, 1);
        if (charged != Errno.OK)
            return charged;
        charged = racct.Charge(cred.Jail, RacctResource.ShmSize, mapLength);
        if (charged != Errno.OK)
        {
            racct.Release(cred.Jail, RacctResource.Nshm, 1);
            return charged;
        }
        // The segment holds its creator jail, as FreeBSD's segment holds its creator's ucred. TryHold
        // refuses a jail being freed: a process in the middle of exiting with its jail may still get here
        // then, and a reference taken on it would bring the jail back to life (to be freed twice). That
        // process is gone: EINTR. The handle is stored in the segment and given back once, when it is freed.
        if (!Namespaces.MayCreateIn(cred.Jail) || !cred.Jail.TryHold(out var creator))
        {
            racct.Release(cred.Jail, RacctResource.Nshm, 1);
            racct.Release(cred.Jail, RacctResource.ShmSize, mapLength);
            return Errno.EINTR;
        }
        // The limits may have changed since the memory was allocated: allocate here only then (rare).
        var seg = new ShmSegment(creator, key, cred.Uid, cred.Gid, mode, size, data is { } d && (ulong)d.Length == size ? d : new byte[size], p.Pid, Now);
        var id = _segments.Allocate(seg, (int)Limits.ShmMni, static (s, newId) => s.Id = newId);
        if (id < 0)
        {
            racct.Release(cred.Jail, RacctResource.Nshm, 1);
            racct.Release(cred.Jail, RacctResource.ShmSize, mapLength);
            unused = creator;
            return Errno.ENOSPC; // every slot below shmmni is taken (shmmni was lowered)
        }
        _byKey.Add(cred.Jail, key, seg);
        _committedPages += pages;
        AssertInvariants();
        _log.LogDebug("shm segment {Id} key {Key} size {Size} created in jail {Jid}", id, key, size, cred.Jail.Id);
        return SysResult<int>.Success(id);
    }
}
