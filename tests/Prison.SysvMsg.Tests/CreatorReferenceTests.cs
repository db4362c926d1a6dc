using Prison.Core;
using Prison.Core.Ipc;
using Prison.Core.Jails;
using static Prison.Core.Ipc.IpcConstants;

namespace Prison.SysvMsg.Tests;

/// <summary>
/// A queue holds its creator jail through one <see cref="JailReference"/>, taken at msgget and given back
/// exactly once at removal: removing a queue twice never releases the jail twice.
/// </summary>
public sealed class CreatorReferenceTests
{
    [Fact]
    public void A_queue_holds_its_creator_jail_once_and_its_removal_gives_the_reference_back_once()
    {
        using var f = new MsgFixture();
        var k = f.Kernel;
        var prison0Refs = k.Prison0.References;
        var j = f.Jail("a", sysvmsg: "inherit");
        var before = j.References;
        var p = f.RootIn(j);
        var id = f.Get(p, IPC_PRIVATE, 0x180);
        Assert.Equal(before + 1, j.References);

        k.Processes.Exit(p);
        Assert.Equal(Errno.OK, k.Syscalls.JailRemove(k.Init, j.Id));
        Assert.Equal(JailState.Dying, j.State);

        Assert.Equal(Errno.OK, f.Rmid(f.Root, id));
        Assert.Equal(JailState.Dead, j.State);
        Assert.Equal(Errno.EINVAL, f.Rmid(f.Root, id));
        Assert.Equal(0, j.References);
        Assert.Equal(0, k.Prison0.ChildrenCur);
        Assert.Equal(prison0Refs, k.Prison0.References);
    }

    [Fact]
    public void A_msgget_refused_after_the_hold_gives_the_reference_back()
    {
        using var f = new MsgFixture();
        var j = f.Jail("pg");
        var p = f.RootIn(j);
        Assert.True(f.Kernel.Syscalls.RctlAddRule(f.Kernel.Init, "jail:pg:nmsgq:deny=0").Ok);
        var before = j.References;
        Assert.Equal(Errno.ENOSPC, f.Kernel.Syscalls.MsgGet(p, IPC_PRIVATE, 0x180).Error);
        Assert.Equal(before, j.References);
    }

    [Fact]
    public void A_killed_process_cannot_create_a_queue_after_its_jail_was_cleaned_up()
    {
        using var f = new MsgFixture();
        var k = f.Kernel;
        var j = f.Jail("gone");
        var p = f.RootIn(j);
        // Something else keeps the dying jail (a descriptor, an object in another namespace).
        Assert.True(j.TryHold(out var hold));
        Assert.Equal(Errno.OK, k.Syscalls.JailRemove(k.Init, j.Id)); // kills p, removes j's queues
        Assert.Equal(JailState.Dying, j.State);
        // p's msgget was already on its way in: a queue made now would escape the cleanup that ran, keep
        // its nmsgq charge and hold the jail dying for ever.
        Assert.Equal(Errno.ENOSYS, k.Syscalls.MsgGet(p, IPC_PRIVATE, 0x180).Error);
        hold!.Dispose();
        Assert.Equal(JailState.Dead, j.State);
        Assert.Equal(0, k.Racct.Usage(k.Prison0, Prison.Core.Rctl.RacctResource.Nmsgq));
    }
}
