using Prison.Core;
using Prison.Core.Procs;

namespace Prison.Plugins.SysvSem;

/// <summary>One adjust-on-exit entry: what to add to a semaphore when the process exits.</summary>
internal sealed class SemUndoEntry(SemSet set, int num, int adjust)
{
    public SemSet Set { get; } = set;

    public int Num { get; } = num;

    public int Adjust { get; set; } = adjust;
}

/// <summary>
/// The SEM_UNDO bookkeeping (FreeBSD's <c>semu_list</c>): one structure per process holding at most
/// <c>semume</c> entries, at most <c>semmnu</c> structures in the system. Not thread-safe: guarded by the
/// undo lock of <see cref="SemFacility"/> (FreeBSD's <c>sem_undo_mtx</c>; docs/locking.md).
/// </summary>
internal sealed class SemUndoTable
{
    private readonly Dictionary<Proc, List<SemUndoEntry>> _byProc = [];

    /// <summary>Number of processes holding undo entries.</summary>
    public int Structures => _byProc.Count;

    /// <summary>The entries of <paramref name="p"/> (for tests and diagnostics), empty when none.</summary>
    public IReadOnlyList<SemUndoEntry> EntriesOf(Proc p) => _byProc.TryGetValue(p, out var list) ? list : [];

    /// <summary>Every process holding entries, with its entries in the order they were made.</summary>
    public IEnumerable<(Proc Proc, IReadOnlyList<SemUndoEntry> Entries)> All =>
        _byProc.Select(x => (x.Key, (IReadOnlyList<SemUndoEntry>)x.Value));

    /// <summary>
    /// FreeBSD's <c>semundo_adjust</c>: adds <paramref name="adjust"/> to the process's entry for
    /// (set, num), creating or deleting it as needed. ERANGE when the result leaves ±semaem, EINVAL when a
    /// new entry would exceed semume, ENOSPC when a new structure would exceed semmnu. On error nothing
    /// changed. <paramref name="enforceLimits"/> false is the rollback path, which only restores earlier values.
    /// </summary>
    public Errno Adjust(Proc p, SemSet set, int num, int adjust, SemLimits limits, bool enforceLimits = true)
    {
        if (adjust == 0)
            return Errno.OK;
        if (!_byProc.TryGetValue(p, out var list))
        {
            if (enforceLimits && _byProc.Count >= limits.Semmnu)
                return Errno.ENOSPC;
            list = [];
        }
        var aem = limits.Semaem;
        for (var i = 0; i < list.Count; i++)
        {
            var e = list[i];
            if (!ReferenceEquals(e.Set, set) || e.Num != num)
                continue;
            var sum = e.Adjust + adjust;
            if (enforceLimits && (sum > aem || sum < -aem))
                return Errno.ERANGE;
            e.Adjust = sum;
            if (sum == 0)
            {
                list.RemoveAt(i);
                if (list.Count == 0)
                    _byProc.Remove(p);
            }
            return Errno.OK;
        }
        if (enforceLimits && (adjust > aem || adjust < -aem))
            return Errno.ERANGE;
        if (enforceLimits && list.Count >= limits.Semume)
            return Errno.EINVAL;
        list.Add(new SemUndoEntry(set, num, adjust));
        _byProc[p] = list;
        return Errno.OK;
    }

    /// <summary>FreeBSD's <c>semundo_clear</c>: drops every process's entries for one semaphore (or all of a set with -1).</summary>
    public void Clear(SemSet set, int num)
    {
        List<Proc>? emptied = null;
        foreach (var (proc, list) in _byProc)
        {
            list.RemoveAll(e => ReferenceEquals(e.Set, set) && (num == -1 || e.Num == num));
            if (list.Count == 0)
                (emptied ??= []).Add(proc);
        }
        if (emptied is not null)
        {
            foreach (var proc in emptied)
                _byProc.Remove(proc);
        }
    }

    /// <summary>Removes and returns the process's entries (at exit), or null when it has none.</summary>
    public List<SemUndoEntry>? Take(Proc p) => _byProc.Remove(p, out var list) ? list : null;
}
