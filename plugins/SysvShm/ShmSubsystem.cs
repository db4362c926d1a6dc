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
using Prison.Core.Services;

namespace Prison.Plugins.SysvShm;

/// <summary>
/// The state of the sysvshm module: the segment table, every process's attachments, the limits, and the
/// life-cycle hooks (jail cleanup, process exit, jail_attach veto). The syscalls are in the other parts.
/// </summary>
/// <remarks>
/// Locks, in the order they are taken (module → address space → segment data → racct → jail):
/// <see cref="_lock"/> (FreeBSD's SYSVSHM_LOCK) protects the writers of <see cref="_segments"/> and the key
/// index, every <see cref="ShmSegment"/>'s fields, the membership of <see cref="_spaces"/>, every change to
/// an <see cref="ShmAddressSpace"/> (made under its <see cref="ShmAddressSpace.Gate"/> too),
/// <see cref="_committedPages"/> and <see cref="Limits"/>. Loads and stores take no module lock: the
/// address space's lock, then the segment's <see cref="ShmSegment.DataGate"/> for the copy. shmget of an
/// existing key takes no lock at all, and a new segment's memory is allocated before the lock is taken.
/// The module lock is taken after
/// the kernel's services lock (cleanup, attach veto and process exit may run under it) and nothing that
/// takes another kernel lock runs while it is held: releasing a segment's jail reference can free the jail
/// and run every service's destroy, so the jails to release are collected and released after unlocking.
/// Namespace roots are read lock-free from the jail slots.
/// </remarks>
internal sealed partial class ShmSubsystem : IShmSyscalls
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

    public ShmSubsystem(RacctHandle racct, TimeProvider time, TunableReader tunables, ILogger log)
    {
        _racct = racct;
        _time = time;
        _log = log;
        Limits.ApplyKenv(tunables, log);
    }

    /// <summary>The module lock (tests hold it to show which calls do not need it).</summary>
    internal Lock ModuleLock => _lock;

    /// <summary>The tunables (written under the lock).</summary>
    public ShmLimits Limits { get; } = new();

    /// <summary>The <c>sysvshm</c> jail parameter service; set once at load.</summary>
    public SysvNamespaces Namespaces { get; set; } = null!;

    /// <summary>How many segments exist (removed but attached ones included): FreeBSD's shm_nused.</summary>
    public int SegmentCount
    {
        get
        {
            lock (_lock)
                return _segments.Count;
        }
    }

    /// <summary>Reads a tunable under the lock.</summary>
    public long GetLimit(ShmTunable tunable)
    {
        lock (_lock)
            return tunable.Get(Limits);
    }

    /// <summary>Writes a tunable under the lock (EINVAL when out of range).</summary>
    public Errno SetLimit(ShmTunable tunable, long value)
    {
        lock (_lock)
            return tunable.Set(Limits, value);
    }

    /// <summary>
    /// FreeBSD's <c>shm_prison_cleanup</c>: removes every segment <paramref name="jail"/> created (the jail
    /// leaves <c>new</c>, is disabled, or dies with its own namespace). Attached ones are only marked
    /// removed and go at their last detach.
    /// </summary>
    public void CleanupJail(Jail jail)
    {
        var release = new List<JailReference>();
        lock (_lock)
        {
            foreach (var (_, seg) in _segments.Live().ToArray())
            {
                if (ReferenceEquals(seg.Creator, jail))
                    RemoveLocked(seg, release);
            }
        }
        ReleaseAll(release);
    }

    /// <summary>The <c>attach</c> method: a process with segments attached may not change jail (the namespace patch review).</summary>
    public Errno VetoAttach(in JailMethodArgs<Jail> args)
    {
        if (args.Process is not { } proc)
            return Errno.OK;
        lock (_lock)
        {
            if (!_spaces.TryGetValue(proc, out var space) || space.LiveCount == 0)
                return Errno.OK;
        }
        args.ErrorMessage = "jail_attach: the process has System V shared memory segments attached";
        return Errno.EBUSY;
    }

    /// <summary>The process exit hook (FreeBSD's shmexit): detaches everything the process had attached.</summary>
    public void ProcessExited(Proc proc)
    {
        var release = new List<JailReference>();
        lock (_lock)
        {
            if (!_spaces.TryRemove(proc, out var space))
                return;
            foreach (var mapping in space.Live.ToArray())
                DetachLocked(space, mapping, release);
        }
        ReleaseAll(release);
    }

    /// <summary>Frees everything at unload: segments (releasing their jails) and address spaces.</summary>
    public void FreeAll()
    {
        var release = new List<JailReference>();
        lock (_lock)
        {
            foreach (var (_, seg) in _segments.Live().ToArray())
                FreeLocked(seg, release);
            _spaces.Clear();
        }
        ReleaseAll(release);
    }

    /// <summary>The segments a caller whose namespace root is <paramref name="root"/> can see, in slot order, selected by <paramref name="filter"/>.</summary>
    public List<ShmSegmentInfo> List(Ucred viewer, Jail? root, Func<Jail, bool> filter)
    {
        var list = new List<ShmSegmentInfo>();
        if (root is null)
            return list;
        lock (_lock)
        {
            foreach (var (id, seg) in _segments.Live())
            {
                if (SysvNamespaces.CanSee(root, seg.Creator) && filter(seg.Creator))
                    list.Add(new ShmSegmentInfo(id, seg.ToDs(SysvNamespaces.KeyAsSeenBy(viewer.Jail, seg.Creator, seg.Key)), seg.Creator.Id));
            }
        }
        return list;
    }

    // --- helpers; every *Locked method runs under _lock -------------------------------------

    private long Now => _time.GetUtcNow().ToUnixTimeSeconds();

    /// <summary>FreeBSD's <c>shm_find_segment</c> by id: allocated, not removed (unless shm_allow_removed), right seq, visible.</summary>
    private ShmSegment? FindLocked(Jail root, int shmid) => Visible(root, _segments.Lookup(shmid));

    /// <summary>The same by slot index (SHM_STAT).</summary>
    private ShmSegment? FindByIndexLocked(Jail root, int index) => Visible(root, _segments.AtIndex(index));

    private ShmSegment? Visible(Jail root, ShmSegment? seg) =>
        seg is not null && (!seg.Removed || Limits.AllowRemoved != 0) && SysvNamespaces.CanSee(root, seg.Creator) ? seg : null;

    /// <summary>
    /// FreeBSD's <c>shm_find_segment_by_key</c>: only segments created in the caller's own jail match.
    /// Lock-free; exact under the module lock.
    /// </summary>
    private ShmSegment? FindByKey(Jail callerJail, int key) => _byKey.Find(callerJail, key);

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
        _byKey.Remove(seg.Creator, seg.Key, seg);
        seg.Key = IpcConstants.IPC_PRIVATE;
        seg.Removed = true;
        if (seg.Nattch <= 0)
            FreeLocked(seg, release);
    }

    /// <summary>FreeBSD's <c>shm_delete_mapping</c>: the range stays reserved, dtime is set, the last detach of a removed segment frees it.</summary>
    private void DetachLocked(ShmAddressSpace space, ShmMapping mapping, List<JailReference> release)
    {
        Debug.Assert(_lock.IsHeldByCurrentThread, "detach needs the module lock");
        var seg = mapping.Segment!;
        lock (space.Gate)
            space.Unmap(mapping);
        seg.Dtime = Now;
        if (--seg.Nattch <= 0 && seg.Removed)
            FreeLocked(seg, release);
    }

    /// <summary>FreeBSD's <c>shm_deallocate_segment</c>: frees the slot and the pages; the creator jail is released after unlocking.</summary>
    private void FreeLocked(ShmSegment seg, List<JailReference> release)
    {
        Debug.Assert(_lock.IsHeldByCurrentThread, "the module lock must be held");
        if (!_segments.Free(seg.Id))
            return;
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
