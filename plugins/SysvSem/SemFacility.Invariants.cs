using System.Diagnostics;
using Prison.Core.Ipc;

namespace Prison.Plugins.SysvSem;

/// <summary>
/// Debug-build consistency checks (as System.Threading.Channels' BoundedChannel asserts its invariants):
/// compiled out of Release builds, run by every test. The per-set check is O(semaphores + sleepers of
/// that set) and runs at the end of every operation that changes a set; the module check walks every set
/// and runs only where sets are created or removed (docs/locking.md, "Debug checks").
/// </summary>
internal sealed partial class SemFacility
{
    /// <summary>
    /// Module totals, under the module lock (each set's lock is taken in turn: module → set): semtot is
    /// the sum of the live sets' sizes, the table count matches, every live set is indexed by its key and
    /// satisfies <see cref="AssertSetInvariants"/>.
    /// </summary>
    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(_lock.IsHeldByCurrentThread, "module invariants are checked under the module lock");
        var semtot = 0;
        var count = 0;
        foreach (var (id, set) in _sets.Live())
        {
            count++;
            using (set.Gate.EnterScope())
            {
                Debug.Assert(!set.Removed, $"set {id} is in the table but marked removed");
                Debug.Assert(set.Id == id, $"set {set.Id} sits in the slot of id {id}");
                AssertSetInvariants(set);
                semtot += set.Sems.Length;
            }
            Debug.Assert(set.Key == IpcConstants.IPC_PRIVATE || ReferenceEquals(_byKey.Find(set.Creator, set.Key), set),
                $"set {id} is not found by its key {set.Key}");
        }
        Debug.Assert(count == _sets.Count, $"the slot table counts {_sets.Count} sets but holds {count}");
        Debug.Assert(semtot == _semtot, $"semtot is {_semtot} but the sets hold {semtot} semaphores");
        Debug.Assert(Volatile.Read(ref _sleepers) >= 0, "a negative sleeper count");
    }

    /// <summary>
    /// One set, under its lock: values are not negative, and every semaphore's semncnt / semzcnt equals
    /// the sleepers on the set's wait list that wait on it for an increase / for zero (FreeBSD keeps the
    /// same counters beside its sleep queue). A removed set's counters are dead and not checked.
    /// </summary>
    [Conditional("DEBUG")]
    private static void AssertSetInvariants(SemSet set)
    {
        Debug.Assert(set.Gate.IsHeldByCurrentThread, "set invariants are checked under the set's lock");
        if (set.Removed)
            return;
        var ncnt = new int[set.Sems.Length];
        var zcnt = new int[set.Sems.Length];
        foreach (var w in set.Waiters)
        {
            if (w.Op == 0)
                zcnt[w.Num]++;
            else
                ncnt[w.Num]++;
        }
        for (var i = 0; i < set.Sems.Length; i++)
        {
            var sem = set.Sems[i];
            Debug.Assert(sem.Value >= 0, $"set {set.Id} sem {i} has value {sem.Value}");
            Debug.Assert(sem.Ncnt == ncnt[i], $"set {set.Id} sem {i}: semncnt {sem.Ncnt} but {ncnt[i]} sleepers wait for an increase");
            Debug.Assert(sem.Zcnt == zcnt[i], $"set {set.Id} sem {i}: semzcnt {sem.Zcnt} but {zcnt[i]} sleepers wait for zero");
        }
    }
}
