using Microsoft.Extensions.Logging;
using Prison.Core;
using Prison.Core.Ipc;
using Prison.Core.Ipc.Sysv;
using Prison.Core.Jails;
using Prison.Core.Modules;
using Prison.Core.Procs;
using Prison.Core.Rctl;

namespace Prison.Plugins.SysvSem;

/// <summary>
/// The semaphore state of one kernel and the <see cref="ISemSyscalls"/> implementation (FreeBSD's
/// sys/kern/sysv_sem.c, FreeBSD 11+ per-prison namespaces). This file holds the state, the lock and
/// what the syscalls share; semget, semop and semctl are in their own files.
/// </summary>
/// <remarks>
/// Locking: one monitor, <see cref="_gate"/>, protects everything mutable here: the set table and every
/// <see cref="SemSet"/> in it (values, pids, waiter counts, times, perms), <see cref="_semtot"/>,
/// <see cref="_sleepers"/> and the undo table. Blocked semop callers sleep on the same monitor
/// (<see cref="Monitor.Wait(object)"/>) and are woken with <see cref="Monitor.PulseAll"/>; each sleeper
/// re-checks its own set's <see cref="SemSet.WakeGeneration"/>, so a wakeup of another set costs a
/// context switch but never a wrong result. Nothing calls out of the module while holding the lock,
/// except lock-free reads (the namespace slot, the credential); jail references taken by sets are
/// released after the lock is dropped. Limits are read lock-free (<see cref="SemLimits"/>).
/// (FreeBSD splits this into sem_mtx, one mutex per set and sem_undo_mtx; one lock keeps the
/// all-or-nothing semop and its undo bookkeeping obviously atomic.)
/// </remarks>
internal sealed partial class SysvSemaphores : ISemSyscalls
{
    private readonly object _gate = new();
    private readonly IpcSlotTable<SemSet> _sets = new();
    private readonly IpcKeyIndex<SemSet> _byKey = new();
    private readonly SemUndoTable _undo = new();
    private readonly Kernel _kernel;
    private readonly SemLimits _limits;
    private readonly ILogger _log;
    private SysvNamespaces _namespaces = null!;
    private int _semtot;
    private int _sleepers;

    public SysvSemaphores(Kernel kernel, SemLimits limits, ILogger log)
    {
        _kernel = kernel;
        _limits = limits;
        _log = log;
    }

    /// <summary>Registers the <c>sysvsem</c> jail parameter and its namespace service.</summary>
    public void RegisterNamespaces(ModuleContext context) =>
        _namespaces = SysvNamespaces.Register(context, "sysvsem", "SYSV semaphores", CleanupJail);

    /// <summary>True while any set exists or any thread sleeps in semop (the module must not unload).</summary>
    public bool IsBusy
    {
        get
        {
            lock (_gate)
                return _sets.Count != 0 || _sleepers != 0;
        }
    }

    /// <summary>Threads blocked in semop right now.</summary>
    public int Sleepers
    {
        get
        {
            lock (_gate)
                return _sleepers;
        }
    }

    /// <summary><c>kern.ipc.sema</c> for <paramref name="caller"/>: the sets it can see, keys hidden outside their jail.</summary>
    public IReadOnlyList<SemSetInfo> ListFor(Ucred caller)
    {
        var root = _namespaces.RootOf(caller.Jail);
        if (root is null)
            return [];
        lock (_gate)
        {
            return _sets.Live()
                .Where(x => SysvNamespaces.CanSee(root, x.Object.Creator))
                .Select(x => new SemSetInfo(x.Id, x.Object.StatFor(caller.Jail), x.Object.Creator.Id))
                .ToArray();
        }
    }

    /// <summary>
    /// The process exit hook (FreeBSD's <c>semexit_myhook</c>): applies the process's SEM_UNDO adjustments
    /// to the sets that still exist, clamped to [0, semvmx], and wakes their sleepers.
    /// </summary>
    public void ApplyUndoAtExit(Proc p)
    {
        lock (_gate)
        {
            var entries = _undo.Take(p);
            if (entries is null)
                return;
            var vmx = _limits.Semvmx;
            foreach (var e in entries)
            {
                if (e.Set.Removed)
                    continue;
                ref var sem = ref e.Set.Sems[e.Num];
                sem.Value = Math.Clamp(sem.Value + e.Adjust, 0, Math.Max(vmx, sem.Value));
                Wakeup(e.Set);
            }
        }
    }

    /// <summary>The caller's namespace root, or null when sysvsem is disabled in its jail (ENOSYS).</summary>
    private Jail? RootOf(Proc p) => _namespaces.RootOf(p.Jail);

    /// <summary>
    /// FreeBSD's range check on <c>IPCID_TO_IX</c> (index &lt; semmni). A slot above a lowered semmni that
    /// still holds a set stays reachable, so lowering the limit never strands an object.
    /// </summary>
    private bool IndexInRange(int id)
    {
        var index = IpcIds.IndexOf(id);
        return index < _limits.Semmni || _sets.AtIndex(index) is not null;
    }

    /// <summary>FreeBSD's <c>semvalid</c>: the live, visible set an id names, or null (EINVAL).</summary>
    private SemSet? Visible(int id, Jail root) =>
        _sets.Lookup(id) is { } set && SysvNamespaces.CanSee(root, set.Creator) ? set : null;

    /// <summary>FreeBSD's <c>wakeup(semakptr)</c>: every sleeper of the set re-evaluates its operations.</summary>
    private void Wakeup(SemSet set)
    {
        set.WakeGeneration++;
        if (_sleepers != 0)
            Monitor.PulseAll(_gate);
    }

    /// <summary>
    /// FreeBSD's <c>sem_remove</c>: frees the slot and the semaphores, drops every undo entry for the set
    /// and wakes its sleepers, which return EIDRM. Returns the creator jail, whose reference the caller
    /// releases after leaving the lock.
    /// </summary>
    private Jail RemoveLocked(SemSet set)
    {
        set.Removed = true;
        _sets.Free(set.Id);
        _byKey.Remove(set.Creator, set.Key, set);
        _semtot -= set.Sems.Length;
        // racct: the semaphores SemGet charged to the creator's jail.
        _kernel.Racct.Release(set.Creator, RacctResource.Nsem, set.Sems.Length);
        _undo.Clear(set, -1);
        Wakeup(set);
        _log.LogDebug("semaphore set {Id} removed (creator jail {Jid})", set.Id, set.Creator.Id);
        return set.Creator;
    }

    /// <summary>Removes every set (forced unload or shutdown); their sleepers wake with EIDRM.</summary>
    public void RemoveAll()
    {
        List<Jail> released = [];
        lock (_gate)
        {
            foreach (var (_, set) in _sets.Live().ToArray())
                released.Add(RemoveLocked(set));
        }
        foreach (var j in released)
            j.Release();
    }

    /// <summary>
    /// FreeBSD's <c>sem_prison_cleanup</c>: removes every set created in <paramref name="jail"/> (the jail
    /// leaves <c>new</c>, is disabled, or is removed); their sleepers wake with EIDRM.
    /// </summary>
    private void CleanupJail(Jail jail)
    {
        List<Jail> released = [];
        lock (_gate)
        {
            foreach (var (_, set) in _sets.Live().ToArray())
            {
                if (ReferenceEquals(set.Creator, jail))
                    released.Add(RemoveLocked(set));
            }
        }
        if (released.Count != 0)
            _log.LogInformation("removed {Count} semaphore sets of jail {Jid}", released.Count, jail.Id);
        foreach (var j in released)
            j.Release();
    }

    private long Now() => _kernel.Time.GetUtcNow().ToUnixTimeSeconds();
}
