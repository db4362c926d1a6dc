using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Prison.Core;
using Prison.Core.Ipc;
using Prison.Core.Ipc.Sysv;
using Prison.Core.Jails;
using Prison.Core.Modules;
using Prison.Core.Procs;
using Prison.Core.Rctl;

namespace Prison.Plugins.SysvShm;

/// <summary>
/// The sysvshm facility of one kernel: the segment table, every process's attachments, and the
/// <see cref="IShmSyscalls"/> implementation (FreeBSD's sys/kern/sysv_shm.c, FreeBSD 11+ per-prison
/// namespaces). This file holds the state and what the calls share; the other partial files are Get
/// (shmget), Attach (shmat, shmdt, process exit), Memory (loads and stores), Ctl (shmctl), Namespaces,
/// Snapshot, Limits and Invariants, the same layout as <c>SemFacility</c> and <c>MsgFacility</c> (no
/// Waking: nothing sleeps in shm).
/// </summary>
/// <remarks>
/// Locks (the lock key is docs/locking.md): <see cref="_lock"/>, the module lock (FreeBSD's
/// <c>SYSVSHM_LOCK</c>), for creation and removal: the segment table and key index writers, freeing a
/// segment, <see cref="_committedPages"/>, the membership of <see cref="_spaces"/> (a process's space is
/// made at its first shmat and dropped at its exit), and walks over every segment. Each
/// <see cref="ShmAddressSpace.Gate"/> guards that process's mappings; each <see cref="ShmSegment.Gate"/>
/// that segment's fields; <see cref="ShmSegment.DataGate"/> its bytes. shmat, shmdt, IPC_STAT, IPC_SET,
/// loads and stores take no module lock (shmdt takes it only to drop the last attachment of a removed
/// segment, and shmat only to replace live attachments with SHM_REMAP: both free a segment). Order:
/// module → address space → segment → segment data → racct; a creator jail reference is released after
/// every lock is dropped. shmget of an existing key and the limits take no lock.
/// </remarks>
internal sealed partial class ShmFacility : IShmSyscalls
{
    private readonly Lock _lock = new();
    private readonly IpcSlotTable<ShmSegment> _segments = new();
    private readonly IpcKeyIndex<ShmSegment> _byKey = new();
    // Read lock-free by loads and stores; entries added and removed under _lock.
    private readonly ConcurrentDictionary<Proc, ShmAddressSpace> _spaces = new();
    private readonly RacctHandle _racct;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private long _committedPages;

    public ShmFacility(RacctHandle racct, TimeProvider time, TunableReader tunables, ILogger log)
    {
        _racct = racct;
        _time = time;
        _log = log;
        Limits.ApplyKenv(tunables, log);
    }

    /// <summary>The module lock (tests hold it to show which calls do not need it).</summary>
    internal Lock ModuleLock => _lock;

    /// <summary>How many segments exist (removed but attached ones included): FreeBSD's shm_nused.</summary>
    public int SegmentCount
    {
        get
        {
            lock (_lock)
                return _segments.Count;
        }
    }

    /// <summary>Frees everything at unload: segments (releasing their jails) and address spaces.</summary>
    public void FreeAll()
    {
        var release = new List<JailReference>();
        lock (_lock)
        {
            foreach (var (_, seg) in _segments.Live().ToArray())
            {
                lock (seg.Gate)
                    FreeLocked(seg, release);
            }
            _spaces.Clear();
            AssertInvariants();
        }
        ReleaseAll(release);
    }

    // --- helpers; every *Locked method runs under _lock -------------------------------------

    private long Now => _time.GetUtcNow().ToUnixTimeSeconds();

    /// <summary>
    /// FreeBSD's <c>shm_find_segment</c> by id: allocated, not removed (unless shm_allow_removed), right seq,
    /// visible. Lock-free, so a hint: the caller checks <see cref="UsableUnderGate"/> under the segment's lock.
    /// </summary>
    private ShmSegment? Find(Jail root, int shmid) => Visible(root, _segments.Lookup(shmid));

    /// <summary>The same by slot index (SHM_STAT), also a hint.</summary>
    private ShmSegment? FindByIndex(Jail root, int index) => Visible(root, _segments.AtIndex(index));

    private ShmSegment? Visible(Jail root, ShmSegment? seg) =>
        seg is not null && (!seg.Removed || Limits.AllowRemoved != 0) && SysvNamespaces.CanSee(root, seg.Creator) ? seg : null;

    /// <summary>
    /// Under the segment's lock: a segment found by a lock-free lookup is still in the table and, unless
    /// shm_allow_removed, not removed (an IPC_RMID may have come between the lookup and the lock).
    /// </summary>
    private bool UsableUnderGate(ShmSegment seg)
    {
        Debug.Assert(seg.Gate.IsHeldByCurrentThread, "the segment's lock must be held");
        return !seg.Freed && (!seg.Removed || Limits.AllowRemoved != 0);
    }

    /// <summary>
    /// FreeBSD's <c>shm_find_segment_by_key</c>: only segments created in the caller's own jail match.
    /// Lock-free; exact under the module lock.
    /// </summary>
    private ShmSegment? FindByKey(Jail callerJail, int key) => _byKey.Find(callerJail, key);

    /// <summary>The process's address space, made on its first shmat; spaces come and go only under the module lock.</summary>
    private ShmAddressSpace SpaceOfLocked(Proc proc)
    {
        Debug.Assert(_lock.IsHeldByCurrentThread, "the module lock must be held");
        if (!_spaces.TryGetValue(proc, out var space))
        {
            space = new ShmAddressSpace();
            _spaces[proc] = space;
        }
        return space;
    }

    /// <summary>FreeBSD's <c>shm_remove</c>: the key becomes IPC_PRIVATE, the segment is marked removed, and it goes now if unattached.</summary>
    private void RemoveLocked(ShmSegment seg, List<JailReference> release)
    {
        Debug.Assert(_lock.IsHeldByCurrentThread, "the module lock must be held");
        Debug.Assert(seg.Gate.IsHeldByCurrentThread, "the segment's lock must be held");
        _byKey.Remove(seg.Creator, seg.Key, seg);
        seg.Key = IpcConstants.IPC_PRIVATE;
        seg.Removed = true;
        if (seg.Nattch <= 0)
            FreeLocked(seg, release);
    }

    /// <summary>
    /// FreeBSD's <c>shm_delete_mapping</c>, under the address space's lock: the range stays reserved, dtime
    /// is set, and the last detach of a removed segment frees it. That last one needs the module lock: without
    /// it (<paramref name="moduleLocked"/> false) nothing changes and the result is false, and the caller
    /// does it again under the module lock. So a removed, unattached segment is never seen still in the table.
    /// </summary>
    private bool TryDetach(ShmAddressSpace space, ShmMapping mapping, bool moduleLocked, List<JailReference> release)
    {
        Debug.Assert(space.Gate.IsHeldByCurrentThread, "detach needs the address space's lock");
        Debug.Assert(!moduleLocked || _lock.IsHeldByCurrentThread, "the module lock is held when the caller says so");
        var seg = mapping.Segment!;
        lock (seg.Gate)
        {
            if (seg.Removed && seg.Nattch <= 1 && !moduleLocked)
                return false;
            space.Unmap(mapping);
            seg.Dtime = Now;
            if (--seg.Nattch <= 0 && seg.Removed)
                FreeLocked(seg, release);
            return true;
        }
    }

    /// <summary>FreeBSD's <c>shm_deallocate_segment</c>: frees the slot and the pages; the creator jail is released after unlocking.</summary>
    private void FreeLocked(ShmSegment seg, List<JailReference> release)
    {
        Debug.Assert(_lock.IsHeldByCurrentThread, "the module lock must be held");
        Debug.Assert(seg.Gate.IsHeldByCurrentThread, "the segment's lock must be held");
        if (seg.Freed || !_segments.Free(seg.Id))
            return;
        seg.Freed = true;
        _byKey.Remove(seg.Creator, seg.Key, seg);
        _committedPages -= seg.Pages;
        // racct: what AllocateLocked charged to the creator's jail (nshm and the page-rounded size).
        _racct.Release(seg.Creator, RacctResource.Nshm, 1);
        _racct.Release(seg.Creator, RacctResource.ShmSize, (long)seg.MapLength);
        release.Add(seg.CreatorReference);
        _log.LogDebug("shm segment {Id} of jail {Jid} freed", seg.Id, seg.Creator.Id);
    }

    /// <summary>Gives back the creator references of freed segments; the last one lets a dying jail be freed.</summary>
    private static void ReleaseAll(List<JailReference> release)
    {
        foreach (var reference in release)
            reference.Dispose();
    }
}
