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
    /// No module lock (except once per process, to make its address space, and for a SHM_REMAP over a live
    /// attachment): the id is looked up lock-free, then the caller's address space lock and the segment's
    /// lock are held across the checks and the mapping, so an IPC_RMID either comes first (EINVAL) or after
    /// (the segment stays until the last detach).
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
        SysResult<ulong> result;
        lock (space.Gate)
        {
            if (Attach(p, cred, root, space, shmid, shmaddr, shmflg, moduleLocked: false, [], out result))
                return result;
        }
        // SHM_REMAP over a live attachment: detaching it may free a removed segment, which needs the module
        // lock (taken before the address space's). Nothing was changed yet; everything is checked again.
        var release = new List<JailReference>();
        lock (_lock)
        {
            lock (space.Gate)
                Attach(p, cred, root, space, shmid, shmaddr, shmflg, moduleLocked: true, release, out result);
            AssertInvariants();
        }
        ReleaseAll(release);
        return result;
    }

    /// <summary>
    /// FreeBSD's <c>kern_shmat_locked</c>, under the address space's lock; the segment's lock is taken
    /// inside. False (and nothing changed) when it must replace live attachments and the module lock is not held.
    /// </summary>
    private bool Attach(Proc p, Ucred cred, Jail root, ShmAddressSpace space, int shmid, ulong shmaddr, int shmflg,
        bool moduleLocked, List<JailReference> release, out SysResult<ulong> result)
    {
        Debug.Assert(space.Gate.IsHeldByCurrentThread, "shmat holds the address space's lock");
        result = Errno.EINTR;
        if (space.Dead)
            return true;
        result = Errno.EINVAL;
        if (Find(root, shmid) is not { } seg)
            return true;
        List<ShmMapping> replaced = [];
        ulong start;
        lock (seg.Gate)
        {
            if (!UsableUnderGate(seg))
                return true;
            var readOnly = (shmflg & SHM_RDONLY) != 0;
            var perm = IpcPermissions.Check(cred, seg.Perm, readOnly ? IpcPermissions.IPC_R : IpcPermissions.IPC_R | IpcPermissions.IPC_W);
            if (perm != Errno.OK)
            {
                result = perm;
                return true;
            }
            result = Errno.EMFILE;
            if (space.LiveCount >= Limits.ShmSeg)
                return true;
            var length = seg.MapLength;
            if (shmaddr != 0)
            {
                result = Errno.EINVAL;
                if ((shmflg & SHM_RND) != 0)
                    start = shmaddr & ~(SHMLBA - 1);
                else if ((shmaddr & (SHMLBA - 1)) == 0)
                    start = shmaddr;
                else
                    return true;
                // vm_map_find with VMFS_NO_SPACE: outside user space, or over a live mapping without
                // MAP_REMAP, is KERN_NO_SPACE / KERN_INVALID_ADDRESS, which shmat reports as ENOMEM.
                result = Errno.ENOMEM;
                if (!ShmAddressSpace.InUserSpace(start, length))
                    return true;
                replaced = space.LiveOverlapping(start, length);
                // FreeBSD tests (shmflg & SHM_REMAP) != 0, and SHM_REMAP is SHM_RDONLY|SHM_RND, so either of
                // those flags also replaces what is mapped there. We keep that. A replaced attachment is
                // detached as a whole (FreeBSD unmaps only the overlapped pages and leaves its shmmap entry).
                if (replaced.Count > 0 && (shmflg & SHM_REMAP) == 0)
                    return true;
                if (replaced.Count > 0 && !moduleLocked)
                    return false;
            }
            else
            {
                result = Errno.ENOMEM;
                if (length == 0 || space.FindFresh(length) is not { } fresh)
                    return true;
                start = fresh;
            }
            if (replaced.Count == 0)
            {
                MapLocked(p, space, seg, start, readOnly);
                AssertSpaceInvariants(space, seg);
                result = SysResult<ulong>.Success(start);
                return true;
            }
        }
        // The replaced attachments go first, each under its own segment's lock (two segments' locks are
        // never held together); the module lock is held, so a removed segment's last one is freed here.
        foreach (var old in replaced)
            TryDetach(space, old, moduleLocked: true, release);
        lock (seg.Gate)
        {
            // Only a replaced attachment of this very segment can have changed it since the checks above:
            // the last attachment of a removed segment frees it.
            result = Errno.EINVAL;
            if (!UsableUnderGate(seg))
                return true;
            MapLocked(p, space, seg, start, (shmflg & SHM_RDONLY) != 0);
        }
        AssertSpaceInvariants(space, seg);
        result = SysResult<ulong>.Success(start);
        return true;
    }

    /// <summary>The mapping itself, under the address space's and the segment's locks: shm_lpid, shm_atime, shm_nattch.</summary>
    private void MapLocked(Proc p, ShmAddressSpace space, ShmSegment seg, ulong start, bool readOnly)
    {
        Debug.Assert(space.Gate.IsHeldByCurrentThread && seg.Gate.IsHeldByCurrentThread, "a mapping is made under the space's and the segment's locks");
        space.Map(start, seg.MapLength, seg, readOnly);
        seg.Lpid = p.Pid;
        seg.Atime = Now;
        seg.Nattch++;
    }

    /// <inheritdoc />
    /// <remarks>No module lock, unless this is the last attachment of a removed segment, which is then freed.</remarks>
    public Errno ShmDt(Proc p, ulong shmaddr)
    {
        if (Namespaces.RootOf(p.Cred.Jail) is null)
            return Errno.ENOSYS;
        if (!_spaces.TryGetValue(p, out var space))
            return Errno.EINVAL;
        lock (space.Gate)
        {
            if (space.LiveAt(shmaddr) is not { } mapping)
                return Errno.EINVAL;
            var seg = mapping.Segment;
            if (TryDetach(space, mapping, moduleLocked: false, []))
            {
                AssertSpaceInvariants(space, seg);
                return Errno.OK;
            }
        }
        // The last attachment of a removed segment: again under the module lock, which frees it.
        var release = new List<JailReference>();
        var error = Errno.OK;
        lock (_lock)
        {
            lock (space.Gate)
            {
                if (space.LiveAt(shmaddr) is not { } mapping)
                {
                    error = Errno.EINVAL; // detached by another thread of the process meanwhile
                }
                else
                {
                    TryDetach(space, mapping, moduleLocked: true, release);
                    AssertSpaceInvariants(space, null);
                }
            }
            AssertInvariants();
        }
        ReleaseAll(release);
        return error;
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
            lock (space.Gate)
            {
                space.Dead = true;
                foreach (var mapping in space.Live.ToArray())
                    TryDetach(space, mapping, moduleLocked: true, release);
                AssertSpaceInvariants(space, null);
            }
            _spaces.TryRemove(proc, out _);
            AssertInvariants();
        }
        ReleaseAll(release);
    }
}
