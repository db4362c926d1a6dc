using Prison.Core;
using Prison.Core.Ipc;
using Prison.Core.Ipc.Sysv;
using Prison.Core.Jails;
using Prison.Core.Procs;
using Prison.Core.Services;

namespace Prison.Plugins.SysvShm;

/// <summary>
/// The per-jail namespaces (FreeBSD 11+): the <c>sysvshm</c> jail parameter's service, the jail cleanup
/// and <c>jail_attach</c> veto it runs, and the segment lists of <c>kern.ipc.shmsegs</c>.
/// </summary>
internal sealed partial class ShmFacility
{
    /// <summary>The <c>sysvshm</c> jail parameter service; set once at load.</summary>
    public SysvNamespaces Namespaces { get; set; } = null!;

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
                if (!ReferenceEquals(seg.Creator, jail))
                    continue;
                lock (seg.Gate)
                {
                    if (!seg.Removed)
                        RemoveLocked(seg, release);
                }
            }
            AssertInvariants();
        }
        ReleaseAll(release);
    }

    /// <summary>The <c>attach</c> method: a process with segments attached may not change jail (the namespace patch review).</summary>
    public Errno VetoAttach(in JailMethodArgs<Jail> args)
    {
        if (args.Process is not { } proc)
            return Errno.OK;
        if (!_spaces.TryGetValue(proc, out var space))
            return Errno.OK;
        lock (space.Gate)
        {
            if (space.LiveCount == 0)
                return Errno.OK;
        }
        args.ErrorMessage = "jail_attach: the process has System V shared memory segments attached";
        return Errno.EBUSY;
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
                if (!SysvNamespaces.CanSee(root, seg.Creator) || !filter(seg.Creator))
                    continue;
                lock (seg.Gate)
                    list.Add(new ShmSegmentInfo(id, seg.ToDs(SysvNamespaces.KeyAsSeenBy(viewer.Jail, seg.Creator, seg.Key)), seg.Creator.Id));
            }
        }
        return list;
    }
}
