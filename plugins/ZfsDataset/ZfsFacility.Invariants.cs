using System.Diagnostics;

namespace Prison.Plugins.ZfsDataset;

/// <summary>
/// Debug-build consistency checks (as System.Threading.Channels' BoundedChannel asserts its invariants):
/// compiled out of Release builds, run by every test. A create, snapshot, destroy or rename checks the
/// names it touched (<see cref="AssertTreeAround"/>); the walk over every dataset runs when a pool is
/// created (docs/locking.md, "Debug checks").
/// </summary>
internal sealed partial class ZfsFacility
{
    /// <summary>
    /// Under the module lock: the store is a tree (every dataset's parent file system exists, a snapshot's
    /// file system among them), each dataset is filed under its own name, and no snapshot holds files.
    /// </summary>
    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(_lock.IsHeldByCurrentThread, "module invariants are checked under the module lock");
        foreach (var ds in _store.All)
        {
            Debug.Assert(ReferenceEquals(_store.Find(ds.Name), ds), $"dataset {ds.Name} is filed under another name");
            Debug.Assert(DatasetName.Parent(ds.Name) is not { } parent || _store.Find(parent) is { IsSnapshot: false },
                $"dataset {ds.Name} has no parent file system");
            Debug.Assert(!ds.IsSnapshot || ds.Files.Count == 0, $"snapshot {ds.Name} holds files");
        }
    }

    /// <summary>
    /// Under the module lock, the tree around one name after a change: a dataset that exists is filed
    /// under its name and has its parent file system; a name that no longer exists has nothing below it.
    /// </summary>
    [Conditional("DEBUG")]
    private void AssertTreeAround(string name)
    {
        Debug.Assert(_lock.IsHeldByCurrentThread, "the dataset tree is checked under the module lock");
        if (_store.Find(name) is { } ds)
        {
            Debug.Assert(ds.Name == name, $"dataset {ds.Name} is filed under {name}");
            Debug.Assert(DatasetName.Parent(name) is not { } parent || _store.Find(parent) is { IsSnapshot: false },
                $"dataset {name} has no parent file system");
        }
        else
        {
            Debug.Assert(_store.Below(name).Length == 0, $"datasets remain below {name}, which is gone");
        }
    }
}
