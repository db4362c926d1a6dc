using System.Diagnostics;
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
/// The sysvsem facility of one kernel: the semaphore sets, the SEM_UNDO table and the
/// <see cref="ISemSyscalls"/> implementation (FreeBSD's sys/kern/sysv_sem.c, FreeBSD 11+ per-prison
/// namespaces). This file holds the state and what the calls share; the other partial files are Get
/// (semget), Op (semop), Ctl (semctl), Waking, Namespaces, Snapshot, Limits and Invariants, the same
/// layout as <c>MsgFacility</c> and <c>ShmFacility</c>.
/// </summary>
/// <remarks>
/// Locks (the lock key is docs/locking.md): <see cref="_lock"/>, the module lock (FreeBSD's
/// <c>sem_mtx</c>), for creation and removal of sets, <see cref="_semtot"/> and walks over every set;
/// <see cref="SemSet.Gate"/>, one per set (FreeBSD's <c>sema_mtx</c>), for everything else of the set,
/// the only lock semop and semctl other than IPC_RMID take; <see cref="_undoLock"/> (FreeBSD's
/// <c>sem_undo_mtx</c>) for the SEM_UNDO table. Order: module → set → undo → racct; a creator jail
/// reference is released after every lock is dropped. Ids, keys and limits are read without a lock.
/// </remarks>
internal sealed partial class SemFacility : ISemSyscalls
{
    private readonly Lock _lock = new();
    private readonly Lock _undoLock = new();
    private readonly IpcSlotTable<SemSet> _sets = new();
    private readonly IpcKeyIndex<SemSet> _byKey = new();
    private readonly SemUndoTable _undo = new();
    private readonly RacctHandle _racct;
    private readonly TimeProvider _time;
    private readonly SemLimits _limits;
    private readonly ILogger _log;
    private SysvNamespaces _namespaces = null!;
    private int _semtot;
    private int _sleepers;
    private long _wakeups;

    public SemFacility(RacctHandle racct, TimeProvider time, SemLimits limits, ILogger log)
    {
        _racct = racct;
        _time = time;
        _limits = limits;
        _log = log;
    }

    /// <summary>True while any set exists or any thread sleeps in semop (the module must not unload).</summary>
    public bool IsBusy
    {
        get
        {
            lock (_lock)
                return _sets.Count != 0 || Volatile.Read(ref _sleepers) != 0;
        }
    }

    /// <summary>Threads blocked in semop right now.</summary>
    public int Sleepers => Volatile.Read(ref _sleepers);

    /// <summary>The lock of set <paramref name="semid"/> (tests hold it to stop a caller at a known point).</summary>
    internal Lock? GateOf(int semid) => _sets.Lookup(semid)?.Gate;

    /// <summary>Wake-ups sent to sleepers by changes and removals since load (signals not counted).</summary>
    public long Wakeups => Volatile.Read(ref _wakeups);

    /// <summary>
    /// The process exit hook (FreeBSD's <c>semexit_myhook</c>): applies the process's SEM_UNDO adjustments
    /// to the sets that still exist and wakes the sleepers they let through. As FreeBSD, a value that would
    /// go below 0 becomes 0 and nothing clamps it to semvmx (Linux does: a platform difference).
    /// </summary>
    public void ApplyUndoAtExit(Proc p)
    {
        List<SemUndoEntry>? entries;
        lock (_undoLock)
            entries = _undo.Take(p);
        if (entries is null)
            return;
        foreach (var e in entries)
        {
            lock (e.Set.Gate)
            {
                if (e.Set.Removed)
                    continue;
                ref var sem = ref e.Set.Sems[e.Num];
                sem.Value = e.Adjust < 0 && sem.Value < -e.Adjust ? 0 : sem.Value + e.Adjust;
                WakeEligible(e.Set);
                AssertSetInvariants(e.Set);
            }
        }
    }

    /// <summary>
    /// FreeBSD's <c>sem_remove</c>: frees the slot and the semaphores, drops every undo entry for the set
    /// and wakes all its sleepers, which return EIDRM. Called with the module lock and the set's lock
    /// held. Returns the set's reference on its creator jail, which the caller disposes after leaving both locks.
    /// </summary>
    private JailReference RemoveLocked(SemSet set)
    {
        Debug.Assert(_lock.IsHeldByCurrentThread, "removal needs the module lock");
        Debug.Assert(set.Gate.IsHeldByCurrentThread, "removal needs the set's lock");
        set.Removed = true;
        _sets.Free(set.Id);
        _byKey.Remove(set.Creator, set.Key, set);
        _semtot -= set.Sems.Length;
        // racct: the semaphores SemGet charged to the creator's jail.
        _racct.Release(set.Creator, RacctResource.Nsem, set.Sems.Length);
        lock (_undoLock)
            _undo.Clear(set, -1);
        foreach (var w in set.Waiters)
            Wake(w);
        _log.LogDebug("semaphore set {Id} removed (creator jail {Jid})", set.Id, set.Creator.Id);
        return set.CreatorReference;
    }

    /// <summary>Removes every set (forced unload or shutdown); their sleepers wake with EIDRM.</summary>
    public void RemoveAll() => RemoveWhere(_ => true);

    private int RemoveWhere(Func<SemSet, bool> match)
    {
        List<JailReference> released = [];
        lock (_lock)
        {
            foreach (var (_, set) in _sets.Live().ToArray())
            {
                if (!match(set))
                    continue;
                lock (set.Gate)
                    released.Add(RemoveLocked(set));
            }
            AssertInvariants();
        }
        foreach (var j in released)
            j.Dispose();
        return released.Count;
    }

    private long Now() => _time.GetUtcNow().ToUnixTimeSeconds();
}
