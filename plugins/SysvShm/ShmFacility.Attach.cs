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
    public SysResult<ulong> ShmAt(Proc p, int shmid, ulong shmaddr, int shmflg)
    {
        var cred = p.Cred;
        if (Namespaces.RootOf(cred.Jail) is not { } root)
            return Errno.ENOSYS;
        var release = new List<JailReference>();
        SysResult<ulong> result;
        lock (_lock)
            result = AttachLocked(p, cred, root, shmid, shmaddr, shmflg, release);
        ReleaseAll(release);
        return result;
    }

    /// <summary>FreeBSD's <c>kern_shmat_locked</c>.</summary>
    private SysResult<ulong> AttachLocked(Proc p, Ucred cred, Jail root, int shmid, ulong shmaddr, int shmflg, List<JailReference> release)
    {
        Debug.Assert(_lock.IsHeldByCurrentThread, "the module lock must be held");
        if (p.HasExited)
            return Errno.EINTR;
        if (FindLocked(root, shmid) is not { } seg)
            return Errno.EINVAL;
        var readOnly = (shmflg & SHM_RDONLY) != 0;
        var perm = IpcPermissions.Check(cred, seg.Perm, readOnly ? IpcPermissions.IPC_R : IpcPermissions.IPC_R | IpcPermissions.IPC_W);
        if (perm != Errno.OK)
            return perm;
        var space = SpaceOfLocked(p);
        if (space.LiveCount >= Limits.ShmSeg)
            return Errno.EMFILE;
        var length = seg.MapLength;
        ulong start;
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
            var live = space.LiveOverlapping(start, length);
            // FreeBSD tests (shmflg & SHM_REMAP) != 0, and SHM_REMAP is SHM_RDONLY|SHM_RND, so either of
            // those flags also replaces what is mapped there. We keep that. A replaced attachment is
            // detached as a whole (FreeBSD unmaps only the overlapped pages and leaves its shmmap entry).
            if (live.Count > 0 && (shmflg & SHM_REMAP) == 0)
                return Errno.ENOMEM;
            foreach (var old in live)
                DetachLocked(space, old, release);
        }
        else
        {
            if (length == 0 || space.FindFresh(length) is not { } fresh)
                return Errno.ENOMEM;
            start = fresh;
        }
        lock (space.Gate)
            space.Map(start, length, seg, readOnly);
        seg.Lpid = p.Pid;
        seg.Atime = Now;
        seg.Nattch++;
        AssertSpaceInvariants(space, seg);
        return SysResult<ulong>.Success(start);
    }

    /// <inheritdoc />
    public Errno ShmDt(Proc p, ulong shmaddr)
    {
        if (Namespaces.RootOf(p.Cred.Jail) is null)
            return Errno.ENOSYS;
        var release = new List<JailReference>();
        lock (_lock)
        {
            if (!_spaces.TryGetValue(p, out var space) || space.LiveAt(shmaddr) is not { } mapping)
                return Errno.EINVAL;
            var seg = mapping.Segment;
            DetachLocked(space, mapping, release);
            AssertSpaceInvariants(space, seg);
        }
        ReleaseAll(release);
        return Errno.OK;
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
            AssertSpaceInvariants(space, null);
        }
        ReleaseAll(release);
    }
}
