using Prison.Core.Ipc;

namespace Prison.Plugins.SysvShm;

/// <summary>
/// A region of a process's simulated address space: a live shm mapping, or (after shmdt) a range that
/// stays reserved with no access, so later loads and stores there fault and a plain shmat never reuses it.
/// </summary>
internal sealed class ShmMapping(ulong start, ulong length, ShmSegment? segment, bool readOnly)
{
    public ulong Start { get; } = start;

    public ulong Length { get; } = length;

    public ulong End => Start + Length;

    /// <summary>The attached segment; null once the range is detached (reserved, no access).</summary>
    public ShmSegment? Segment { get; private set; } = segment;

    public bool ReadOnly { get; } = readOnly;

    public bool IsLive => Segment is not null;

    public void MarkDetached() => Segment = null;
}

/// <summary>
/// One process's shm view of its address space (FreeBSD's <c>vm_shm</c> plus the map entries): regions
/// sorted by start, never overlapping. Plain shmat takes fresh page-aligned addresses from a cursor that
/// only moves up, so an address is never handed out twice.
/// </summary>
/// <remarks>
/// Read and changed under <see cref="Gate"/> only (attach, detach, exit, loads and stores), so a process's
/// shm calls never wait for another process's shmget, shmat or IPC_RMID. The module's debug invariant
/// check reads every space under the module lock while holding every space's <see cref="Gate"/>.
/// </remarks>
internal sealed class ShmAddressSpace
{
    /// <summary>The address space's own lock (module → address space → segment data).</summary>
    public Lock Gate { get; } = new();

    /// <summary>Set under <see cref="Gate"/> by the exit hook: a shmat that raced the exit answers EINTR.</summary>
    public bool Dead { get; set; }

    /// <summary>Where plain shmat starts placing segments.</summary>
    public const ulong FirstFreeAddress = 0x0000_0008_0000_0000;

    /// <summary>The lowest mappable address (page 0 is never mapped).</summary>
    public const ulong MinAddress = IpcConstants.PAGE_SIZE;

    /// <summary>The end of user space (amd64's VM_MAXUSER_ADDRESS).</summary>
    public const ulong MaxAddress = 0x0000_7FFF_FFFF_F000;

    private readonly SortedList<ulong, ShmMapping> _regions = [];
    private ulong _cursor = FirstFreeAddress;

    /// <summary>How many live attachments the process holds (counted against shmseg).</summary>
    public int LiveCount { get; private set; }

    /// <summary>The live attachments, by address.</summary>
    public IEnumerable<ShmMapping> Live => _regions.Values.Where(m => m.IsLive);

    /// <summary>True when [start, start + length) is a non-empty range inside user space.</summary>
    public static bool InUserSpace(ulong start, ulong length) =>
        length > 0 && start >= MinAddress && start <= MaxAddress && length <= MaxAddress - start;

    /// <summary>A fresh range for a plain shmat, or null when user space is exhausted.</summary>
    public ulong? FindFresh(ulong length)
    {
        var candidate = _cursor;
        while (InUserSpace(candidate, length))
        {
            var blocker = Overlapping(candidate, length).LastOrDefault();
            if (blocker is null)
            {
                _cursor = candidate + length;
                return candidate;
            }
            candidate = blocker.End;
        }
        return null;
    }

    /// <summary>The live mappings that overlap [start, start + length).</summary>
    public List<ShmMapping> LiveOverlapping(ulong start, ulong length) => Overlapping(start, length).Where(m => m.IsLive).ToList();

    /// <summary>
    /// Maps <paramref name="segment"/> at [start, start + length). Reserved (detached) ranges there are
    /// replaced; the caller has already dealt with live overlaps.
    /// </summary>
    public ShmMapping Map(ulong start, ulong length, ShmSegment segment, bool readOnly)
    {
        foreach (var old in Overlapping(start, length))
        {
            if (old.IsLive)
                throw new InvalidOperationException($"mapping at {old.Start:x} is still live");
            _regions.Remove(old.Start);
            if (old.Start < start)
                Add(new ShmMapping(old.Start, start - old.Start, null, old.ReadOnly));
            if (old.End > start + length)
                Add(new ShmMapping(start + length, old.End - (start + length), null, old.ReadOnly));
        }
        var mapping = new ShmMapping(start, length, segment, readOnly);
        Add(mapping);
        LiveCount++;
        return mapping;
    }

    /// <summary>Turns a live mapping into a reserved, no-access range.</summary>
    public void Unmap(ShmMapping mapping)
    {
        if (!mapping.IsLive)
            return;
        mapping.MarkDetached();
        LiveCount--;
    }

    /// <summary>The live mapping that starts exactly at <paramref name="address"/> (what shmdt accepts).</summary>
    public ShmMapping? LiveAt(ulong address) =>
        _regions.TryGetValue(address, out var m) && m.IsLive ? m : null;

    /// <summary>The region (live or reserved) that contains <paramref name="address"/>.</summary>
    public ShmMapping? Containing(ulong address)
    {
        var i = LastStartAtOrBelow(address);
        return i >= 0 && _regions.Values[i] is var m && address < m.End ? m : null;
    }

    /// <summary>Regions overlapping [start, start + length), in address order.</summary>
    private IEnumerable<ShmMapping> Overlapping(ulong start, ulong length)
    {
        var end = start + length;
        var i = LastStartAtOrBelow(end - 1);
        var found = new List<ShmMapping>();
        for (; i >= 0; i--)
        {
            var m = _regions.Values[i];
            if (m.End <= start)
                break; // regions do not overlap one another, so every earlier one ends even sooner
            found.Add(m);
        }
        found.Reverse();
        return found;
    }

    /// <summary>Index of the last region whose start is at or below <paramref name="address"/>, or -1.</summary>
    private int LastStartAtOrBelow(ulong address)
    {
        var keys = _regions.Keys;
        int lo = 0, hi = keys.Count - 1, result = -1;
        while (lo <= hi)
        {
            var mid = lo + ((hi - lo) / 2);
            if (keys[mid] <= address)
            {
                result = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }
        return result;
    }

    private void Add(ShmMapping mapping) => _regions.Add(mapping.Start, mapping);
}
