using System.Diagnostics;
using Prison.Core;
using Prison.Core.Ipc.Sysv;
using Prison.Core.Jails;
using Prison.Core.Procs;
using static Prison.Core.Ipc.IpcConstants;

namespace Prison.Plugins.SysvShm;

/// <summary>shmat, shmdt and the process exit hook, with FreeBSD's (sys/kern/sysv_shm.c, 11+) checks in FreeBSD's order.</summary>
internal sealed partial class ShmFacility
{
    /// <inheritdoc />
    /// <remarks>
    /// No module lock (except once per process, to make its address space): the id is looked up lock-free,
    /// then the caller's address space lock and the segment's lock are held across the checks and the
    /// mapping, so an IPC_RMID either comes first (EINVAL) or after (the segment stays until the last detach).
    /// </remarks>
    public SysResult<ulong> ShmAt(Proc p, int shmid, ulong shmaddr, int shmflg)
    {
        var cred = p.Cred;
        if (Namespaces.RootOf(cred.Jail) is not { } root)
            return Errno.ENOSYS;
        if (p.HasExited)
            return Errno.EINTR;
        if (!_spaces.TryGetValue(p, out var space))
        {
            lock (_lock)
            {
                // The exit hook drops the space under the module lock after the process is marked exited,
                // so a space made here for an exited process would never be dropped.
                if (p.HasExited)
                    return Errno.EINTR;
                space = SpaceOfLocked(p);
            }
        }
        var detached = new List<ShmSegment>();
        SysResult<ulong> result;
        lock (space.Gate)
            result = Attach(p, cred, root, space, shmid, shmaddr, shmflg, detached);
        if (detached.Count == 0)
            return result;
        var release = new List<JailReference>();
        FreeDetached(detached, release);
        ReleaseAll(release);
        return result;
    }

    /// <summary>FreeBSD's <c>kern_shmat_locked</c>, under the address space's lock; the segment's lock is taken inside.</summary>
    private SysResult<ulong> Attach(Proc p, Ucred cred, Jail root, ShmAddressSpace space, int shmid, ulong shmaddr, int shmflg, List<ShmSegment> detached)
    {
        Debug.Assert(space.Gate.IsHeldByCurrentThread, "shmat holds the address space's lock");
        if (space.Dead)
            return Errno.EINTR;
        if (Find(root, shmid) is not { } seg)
            return Errno.EINVAL;
        List<ShmSegment> replaced;
        ulong start;
        lock (seg.Gate)
        {
            if (!UsableUnderGate(seg))
                return Errno.EINVAL;
            var readOnly = (shmflg & SHM_RDONLY) != 0;
            var perm = IpcPermissions.Check(cred, seg.Perm, readOnly ? IpcPermissions.IPC_R : IpcPermissions.IPC_R | IpcPermissions.IPC_W);
            if (perm != Errno.OK)
                return perm;
            if (space.LiveCount >= Limits.ShmSeg)
                return Errno.EMFILE;
            var length = seg.MapLength;
            if (shmaddr != 0)
            {
                if ((shmflg & SHM_RND) != 0)
                    start = shmaddr & ~(SHMLBA - 1);
                else if ((shmaddr & (SHMLBA - 1)) == 0)
                    start = shmaddr;
                else
                    return Errno.EINVAL;
                // vm_map_find with VMFS_NO_SPACE: outside user space, or over a live mapping without
                // MAP_REMAP, is KERN_NO_SPACE / KERN_INVALID_ADDRESS, which shmat reports as ENOMEM.
                if (!ShmAddressSpace.InUserSpace(start, length))
                    return Errno.ENOMEM;
                var overlapping = space.LiveOverlapping(start, length);
                // FreeBSD tests (shmflg & SHM_REMAP) != 0, and SHM_REMAP is SHM_RDONLY|SHM_RND, so either of
                // those flags also replaces what is mapped there. We keep that. A replaced attachment is
                // detached as a whole (FreeBSD unmaps only the overlapped pages and leaves its shmmap entry).
                if (overlapping.Count > 0 && (shmflg & SHM_REMAP) == 0)
                    return Errno.ENOMEM;
                // The replaced ranges leave the map now; their segments' counts drop below, once this
                // segment's lock is let go (two segments' locks are never held together). Nothing sees the
                // counts in between: they change under this address space's lock, which is still held.
                replaced = overlapping.ConvertAll(m => m.Segment!);
                foreach (var old in overlapping)
                    space.Unmap(old);
            }
            else
            {
                if (length == 0 || space.FindFresh(length) is not { } fresh)
                    return Errno.ENOMEM;
                start = fresh;
                replaced = [];
            }
            space.Map(start, length, seg, readOnly);
            seg.Lpid = p.Pid;
            seg.Atime = Now;
            seg.Nattch++;
        }
        foreach (var old in replaced)
        {
            if (DropAttachment(old))
                detached.Add(old);
        }
        AssertSpaceInvariants(space, seg);
        return SysResult<ulong>.Success(start);
    }

    /// <inheritdoc />
    /// <remarks>No module lock, unless this was the last attachment of a removed segment, which is then freed.</remarks>
    public Errno ShmDt(Proc p, ulong shmaddr)
    {
        if (Namespaces.RootOf(p.Cred.Jail) is null)
            return Errno.ENOSYS;
        if (!_spaces.TryGetValue(p, out var space))
            return Errno.EINVAL;
        ShmSegment seg;
        bool last;
        lock (space.Gate)
        {
            if (space.LiveAt(shmaddr) is not { } mapping)
                return Errno.EINVAL;
            seg = mapping.Segment!;
            last = Detach(space, mapping);
            AssertSpaceInvariants(space, seg);
        }
        if (last)
        {
            var release = new List<JailReference>();
            FreeDetached([seg], release);
            ReleaseAll(release);
        }
        return Errno.OK;
    }

    /// <summary>
    /// The process exit hook (FreeBSD's shmexit): detaches everything the process had attached. Under the
    /// module lock (exit is not a hot path): the space leaves the table, and no later shmat can use it.
    /// </summary>
    public void ProcessExited(Proc proc)
    {
        var release = new List<JailReference>();
        lock (_lock)
        {
            if (!_spaces.TryGetValue(proc, out var space))
                return;
            var last = new List<ShmSegment>();
            lock (space.Gate)
            {
                space.Dead = true;
                foreach (var mapping in space.Live.ToArray())
                {
                    var seg = mapping.Segment!;
                    if (Detach(space, mapping))
                        last.Add(seg);
                }
                AssertSpaceInvariants(space, null);
            }
            _spaces.TryRemove(proc, out _);
            foreach (var seg in last)
                FreeIfUnusedLocked(seg, release);
            AssertInvariants();
        }
        ReleaseAll(release);
    }
}
