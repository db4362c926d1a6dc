using System.Reflection;
using Prison.Plugins.ZfsDataset;
using Prison.Tests.Shared;

namespace Prison.ZfsDataset.Tests;

/// <summary>
/// The debug-build invariant checks (docs/locking.md, "Debug checks") run in this suite: state corrupted
/// behind the module's back is caught by the next operation that checks it.
/// </summary>
public sealed class DebugCheckTests
{
    [SkippableFact]
    public void A_dataset_whose_parent_is_gone_is_caught_by_the_next_zpool_create()
    {
        DebugBuild.Require();
        using var t = new ZfsTestKernel(load: false, pools: "tank");
        var module = new ZfsModule();
        Assert.True(t.K.Modules.LoadInstance(module).Ok);
        var store = (DatasetStore)typeof(ZfsFacility).GetField("_store", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(module.Facility)!;
        store.Add("tank/gone/orphan", isSnapshot: false);

        var caught = Record.Exception(() => t.K.Syscalls.ZpoolCreate(t.Host, "tank2"));

        store.Remove("tank/gone/orphan");
        Assert.NotNull(caught);
        Assert.Contains("dataset tank/gone/orphan has no parent file system", caught.ToString());
    }
}
