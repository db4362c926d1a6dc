using System.Diagnostics;
using Prison.Core.Ipc;

namespace Prison.Plugins.SysvShm;

/// <summary>
/// Debug-build consistency checks (as System.Threading.Channels' BoundedChannel asserts its invariants):
/// compiled out of Release builds, run by every test. The module check walks every segment and every
/// attachment, so it runs only where segments are created, removed or freed; shmat, shmdt and process
/// exit check the one address space they changed (docs/locking.md, "Debug checks").
/// </summary>
internal sealed partial class ShmFacility
{
    /// <summary>
    /// Under the module lock: the committed pages (FreeBSD's <c>shm_committed</c>) are the sum of the
    /// segments' pages, the table count (<c>shm_nused</c>) matches, every segment's <c>shm_nattch</c> equals
    /// the live attachments to it over every address space, a removed segment is still attached and shows
    /// IPC_PRIVATE, and every other segment is indexed by its key.
    /// </summary>
    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(_lock.IsHeldByCurrentThread, "module invariants are checked under the module lock");
        // shmat and shmdt change a count under the address space lock of the attachment they add or drop,
        // not the module lock: holding every space's lock settles every count. Only a holder of the module
        // lock takes more than one space lock, and nobody waits for the module lock holding one, so this
        // cannot deadlock; the caller holds no segment lock (space → segment is the order).
        var spaces = _spaces.Values.ToArray();
        foreach (var space in spaces)
            space.Gate.Enter();
        try
        {
            AssertSettled(spaces);
        }
        finally
        {
            foreach (var space in spaces)
                space.Gate.Exit();
        }
    }

    [Conditional("DEBUG")]
    private void AssertSettled(ShmAddressSpace[] spaces)
    {
        var attached = new Dictionary<ShmSegment, int>();
        foreach (var space in spaces)
        {
            var live = 0;
            foreach (var m in space.Live)
            {
                live++;
                attached[m.Segment!] = attached.GetValueOrDefault(m.Segment!) + 1;
            }
            Debug.Assert(space.LiveCount == live, $"an address space counts {space.LiveCount} attachments but holds {live}");
        }
        long pages = 0;
        var count = 0;
        foreach (var (id, seg) in _segments.Live())
        {
            count++;
            pages += seg.Pages;
            Debug.Assert(seg.Id == id, $"segment {seg.Id} sits in the slot of id {id}");
            Debug.Assert(seg.Nattch == attached.GetValueOrDefault(seg), $"segment {id}: shm_nattch {seg.Nattch} but {attached.GetValueOrDefault(seg)} attachments");
            if (seg.Removed)
            {
                Debug.Assert(seg.Nattch > 0, $"segment {id} is removed and unattached but not freed");
                Debug.Assert(seg.Key == IpcConstants.IPC_PRIVATE, $"removed segment {id} keeps key {seg.Key}");
            }
            else
            {
                Debug.Assert(seg.Key == IpcConstants.IPC_PRIVATE || ReferenceEquals(_byKey.Find(seg.Creator, seg.Key), seg),
                    $"segment {id} is not found by its key {seg.Key}");
            }
            attached.Remove(seg);
        }
        Debug.Assert(attached.Count == 0, "an attachment points at a freed segment");
        Debug.Assert(count == _segments.Count, $"the slot table counts {_segments.Count} segments but holds {count}");
        Debug.Assert(pages == _committedPages, $"{_committedPages} pages committed but the segments hold {pages}");
    }

    /// <summary>
    /// One address space after shmat, shmdt or exit, under its own lock: its attachment count matches
    /// its live mappings, and <paramref name="segment"/> (when given) counts at least the attachments this
    /// space holds to it. O(mappings of the space).
    /// </summary>
    [Conditional("DEBUG")]
    private void AssertSpaceInvariants(ShmAddressSpace space, ShmSegment? segment)
    {
        Debug.Assert(space.Gate.IsHeldByCurrentThread, "address space invariants are checked under the space's lock");
        var live = 0;
        var here = 0;
        foreach (var m in space.Live)
        {
            live++;
            if (ReferenceEquals(m.Segment, segment))
                here++;
        }
        Debug.Assert(space.LiveCount == live, $"an address space counts {space.LiveCount} attachments but holds {live}");
        Debug.Assert(segment is null || segment.Nattch >= here, $"segment {segment?.Id}: shm_nattch {segment?.Nattch} but this process alone holds {here} attachments");
    }
}
