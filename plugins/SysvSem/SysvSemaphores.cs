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
/// The semaphore state of one kernel and the <see cref="ISemSyscalls"/> implementation (FreeBSD's
/// sys/kern/sysv_sem.c, FreeBSD 11+ per-prison namespaces). This file holds the state, the locks and
/// what the syscalls share; semget, semop and semctl are in their own files.
/// </summary>
/// <remarks>
/// <para>Locks, in the order they are taken (module → object → undo → racct → jail):</para>
/// <list type="number">
/// <item><see cref="_gate"/>, the module lock (FreeBSD's <c>sem_mtx</c>): creation and removal of sets
/// (the slot table and key index writers), <see cref="_semtot"/>, and walks over every set (cleanup,
/// listing, snapshots). Never held by semop or by semctl other than IPC_RMID.</item>
/// <item><see cref="SemSet.Gate"/>, one per set (FreeBSD's per-set <c>sema_mtx</c>): the set's values,
/// counters, times, permissions, removed flag and sleepers. semop and semctl take only this lock.</item>
/// <item><see cref="_undoLock"/> (FreeBSD's <c>sem_undo_mtx</c>): the SEM_UNDO table.</item>
/// <item>racct and jail references are taken last; a jail reference is released only after every lock
/// here is dropped (a last release frees the jail and runs the services' callbacks).</item>
/// </list>
/// <para>Ids and keys are looked up without a lock (<see cref="IpcSlotTable{T}"/>,
/// <see cref="IpcKeyIndex{T}"/>); the set found is trusted only once its lock is held and
/// <see cref="SemSet.Removed"/> is false. Limits are read lock-free (<see cref="SemLimits"/>).</para>
/// <para>Waking: a blocked semop sleeps on its own <see cref="SemWaiter"/>, listed on its set. A change to
/// a set wakes only the waiters of that set whose blocked operation may now succeed; removal wakes every
/// waiter of the set (EIDRM); a signal wakes only the signalled caller (EINTR). So two jails that share
/// nothing never contend on a lock or wake each other's threads.</para>
/// </remarks>
internal sealed partial class SysvSemaphores : ISemSyscalls
{
    private readonly Lock _gate = new();
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

    public SysvSemaphores(RacctHandle racct, TimeProvider time, SemLimits limits, ILogger log)
    {
        _racct = racct;
        _time = time;
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
                return _sets.Count != 0 || Volatile.Read(ref _sleepers) != 0;
        }
    }

    /// <summary>Threads blocked in semop right now.</summary>
    public int Sleepers => Volatile.Read(ref _sleepers);

    /// <summary>The lock of set <paramref name="semid"/> (tests hold it to stop a caller at a known point).</summary>
    internal Lock? GateOf(int semid) => _sets.Lookup(semid)?.Gate;

    /// <summary>Wake-ups sent to sleepers by changes and removals since load (signals not counted).</summary>
    public long Wakeups => Volatile.Read(ref _wakeups);

    /// <summary><c>kern.ipc.sema</c> for <paramref name="caller"/>: the sets it can see, keys hidden outside their jail.</summary>
    public IReadOnlyList<SemSetInfo> ListFor(Ucred caller)
    {
        var root = _namespaces.RootOf(caller.Jail);
        if (root is null)
            return [];
        var list = new List<SemSetInfo>();
        lock (_gate)
        {
            foreach (var (id, set) in _sets.Live())
            {
                if (!SysvNamespaces.CanSee(root, set.Creator))
                    continue;
                lock (set.Gate)
                    list.Add(new SemSetInfo(id, set.StatFor(caller.Jail), set.Creator.Id));
            }
        }
        return list;
    }

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

    /// <summary>
    /// FreeBSD's <c>semvalid</c>, lock-free part: the set an id names if the caller's namespace sees it, or
    /// null (EINVAL). The caller locks the set and checks <see cref="SemSet.Removed"/>.
    /// </summary>
    private SemSet? Visible(int id, Jail root) =>
        _sets.Lookup(id) is { } set && SysvNamespaces.CanSee(root, set.Creator) ? set : null;

    /// <summary>
    /// FreeBSD's <c>wakeup(semakptr)</c>, targeted: wakes the waiters of <paramref name="set"/> whose blocked
    /// operation may now succeed (they retry their whole vector). Called with the set's lock held.
    /// </summary>
    private void WakeEligible(SemSet set)
    {
        Debug.Assert(set.Gate.IsHeldByCurrentThread, "the set's lock must be held to wake its sleepers");
        foreach (var w in set.Waiters)
        {
            if (w.MayProceed(set))
                Wake(w);
        }
    }

    private void Wake(SemWaiter w)
    {
        Interlocked.Increment(ref _wakeups);
        w.Wake();
    }

    /// <summary>
    /// FreeBSD's <c>sem_remove</c>: frees the slot and the semaphores, drops every undo entry for the set
    /// and wakes all its sleepers, which return EIDRM. Called with the module lock and the set's lock
    /// held. Returns the set's reference on its creator jail, which the caller disposes after leaving both locks.
    /// </summary>
    private JailReference RemoveLocked(SemSet set)
    {
        Debug.Assert(_gate.IsHeldByCurrentThread, "removal needs the module lock");
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

    /// <summary>
    /// FreeBSD's <c>sem_prison_cleanup</c>: removes every set created in <paramref name="jail"/> (the jail
    /// leaves <c>new</c>, is disabled, or is removed); their sleepers wake with EIDRM.
    /// </summary>
    private void CleanupJail(Jail jail)
    {
        var count = RemoveWhere(set => ReferenceEquals(set.Creator, jail));
        if (count != 0)
            _log.LogInformation("removed {Count} semaphore sets of jail {Jid}", count, jail.Id);
    }

    private int RemoveWhere(Func<SemSet, bool> match)
    {
        List<JailReference> released = [];
        lock (_gate)
        {
            foreach (var (_, set) in _sets.Live().ToArray())
            {
                if (!match(set))
                    continue;
                lock (set.Gate)
                    released.Add(RemoveLocked(set));
            }
        }
        foreach (var j in released)
            j.Dispose();
        return released.Count;
    }

    private long Now() => _time.GetUtcNow().ToUnixTimeSeconds();
}
