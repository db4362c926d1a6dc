using Prison.Core;
using Prison.Core.Ipc;
using Prison.Core.Jails;
using static Prison.Core.Ipc.IpcConstants;

namespace Prison.SysvShm.Tests;

/// <summary>
/// A segment holds its creator jail through one <see cref="JailReference"/>, taken at shmget and given
/// back exactly once when the segment is freed (at removal, or at the last detach of a removed segment).
/// </summary>
public sealed class CreatorReferenceTests
{
    [Fact]
    public void A_segment_holds_its_creator_jail_until_its_last_detach_and_gives_the_reference_back_once()
    {
        using var k = ShmTestKernel.Boot();
        var prison0Refs = k.Prison0.References;
        var j = k.NewJail("a", "inherit");
        var before = j.References;
        var p = k.Spawn(j);
        var id = k.Create(p, key: IPC_PRIVATE);
        Assert.Equal(before + 1, j.References);
        var host = k.Spawn(k.Prison0);
        k.Attach(host, id);

        k.Processes.Exit(p);
        Assert.Equal(Errno.OK, k.Syscalls.JailRemove(k.Init, j.Id));
        Assert.Equal(JailState.Dying, j.State);
        Assert.Equal(Errno.OK, k.Rmid(host, id)); // attached: only marked removed, still held
        Assert.Equal(JailState.Dying, j.State);

        k.Processes.Exit(host); // the last detach frees the segment
        Assert.Equal(JailState.Dead, j.State);
        Assert.Equal(Errno.EINVAL, k.Rmid(k.Init, id));
        Assert.Equal(0, j.References);
        Assert.Equal(0, k.Prison0.ChildrenCur);
        Assert.Equal(prison0Refs, k.Prison0.References);
    }

    [Fact]
    public void A_shmget_refused_by_racct_keeps_no_reference()
    {
        using var k = ShmTestKernel.Boot();
        var j = k.NewJail("pg", "new");
        var p = k.Spawn(j);
        Assert.True(k.Syscalls.RctlAddRule(k.Init, "jail:pg:nshm:deny=0").Ok);
        var before = j.References;
        Assert.Equal(Errno.ENOSPC, k.Syscalls.ShmGet(p, IPC_PRIVATE, 4096, IPC_CREAT | 0x180).Error);
        Assert.Equal(before, j.References);
    }

    [Fact]
    public void A_killed_process_cannot_create_a_segment_after_its_jail_was_cleaned_up()
    {
        using var k = ShmTestKernel.Boot();
        var j = k.NewJail("gone", "new");
        var p = k.Spawn(j);
        // Something else keeps the dying jail (a descriptor, an object in another namespace).
        Assert.True(j.TryHold(out var hold));
        Assert.Equal(Errno.OK, k.Syscalls.JailRemove(k.Init, j.Id)); // kills p, removes j's segments
        Assert.Equal(JailState.Dying, j.State);
        // p's shmget was already on its way in: a segment made now would escape the cleanup that ran,
        // keep its nshm charge and hold the jail dying for ever.
        Assert.Equal(Errno.EINTR, k.Syscalls.ShmGet(p, IPC_PRIVATE, 4096, 0x180).Error);
        hold!.Dispose();
        Assert.Equal(JailState.Dead, j.State);
        Assert.Equal(0, k.Racct.Usage(k.Prison0, Prison.Core.Rctl.RacctResource.Nshm));
    }
}
