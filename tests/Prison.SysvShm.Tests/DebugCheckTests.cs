using System.Reflection;
using Prison.Core;
using Prison.Core.Ipc;
using Prison.Plugins.SysvShm;
using Prison.Tests.Shared;
using static Prison.Core.Ipc.IpcConstants;

namespace Prison.SysvShm.Tests;

/// <summary>
/// The debug-build invariant checks (docs/locking.md, "Debug checks") run in this suite: state corrupted
/// behind the module's back is caught by the next operation that checks it.
/// </summary>
public sealed class DebugCheckTests
{
    [SkippableFact]
    public void Committed_pages_that_disagree_with_the_segments_are_caught_when_a_segment_is_created()
    {
        DebugBuild.Require();
        using var k = new Kernel();
        var module = new SysvShmModule();
        Assert.True(k.Modules.LoadInstance(module).Ok);
        var shm = module.Facility!;
        Assert.True(k.Syscalls.ShmGet(k.Init, IPC_PRIVATE, 4096, 0x180).Ok);
        var field = typeof(ShmFacility).GetField("_committedPages", BindingFlags.NonPublic | BindingFlags.Instance)!;
        var pages = (long)field.GetValue(shm)!;
        field.SetValue(shm, pages + 1);

        var caught = Record.Exception(() => k.Syscalls.ShmGet(k.Init, IPC_PRIVATE, 4096, 0x180));

        // The segment was made before the check ran: one page more than before the corruption.
        field.SetValue(shm, pages + 1);
        Assert.NotNull(caught);
        Assert.Contains("3 pages committed but the segments hold 2", caught.ToString());
    }
}
