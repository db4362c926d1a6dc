using System.Diagnostics;

namespace Prison.Plugins.ZfsDataset;

/// <summary>
/// Debug-build consistency checks (as System.Threading.Channels' BoundedChannel asserts its invariants):
/// compiled out of Release builds, run by every test after every change to the dataset tree
/// (docs/locking.md, "Debug checks").
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
}
