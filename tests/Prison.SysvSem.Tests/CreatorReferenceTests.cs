using Prison.Core;
using Prison.Core.Ipc;
using Prison.Core.Jails;
using static Prison.Core.Ipc.IpcConstants;

namespace Prison.SysvSem.Tests;

/// <summary>
/// A set holds its creator jail through one <see cref="JailReference"/>, taken at semget and given back
/// exactly once at removal: a dying jail lives exactly as long as its last set, and removing a set twice
/// never releases the jail twice.
/// </summary>
public sealed class CreatorReferenceTests
{
    [Fact]
    public void A_set_holds_its_creator_jail_once_and_its_removal_gives_the_reference_back_once()
    {
        using var t = new SemTestKernel();
        var prison0Refs = t.K.Prison0.References;
        var j = t.Jail("a", sysvsem: "inherit"); // the set lives in the host's namespace and outlives the jail
        var before = j.References;
        var p = t.RootIn(j);
        var id = t.NewSet(p);
        Assert.Equal(before + 1, j.References);

        t.K.Processes.Exit(p);
        t.RemoveJail(j);
        Assert.Equal(JailState.Dying, j.State); // the set's reference keeps it

        Assert.Equal(Errno.OK, t.CtlError(t.Host, id, 0, IPC_RMID));
        Assert.Equal(JailState.Dead, j.State);
        Assert.Equal(Errno.EINVAL, t.CtlError(t.Host, id, 0, IPC_RMID));
        Assert.Equal(0, j.References);
        Assert.Equal(0, t.K.Prison0.ChildrenCur);
        Assert.Equal(prison0Refs, t.K.Prison0.References);
    }

    [Fact]
    public void A_semget_refused_after_the_hold_gives_the_reference_back()
    {
        using var t = new SemTestKernel();
        var j = t.Jail("pg");
        var p = t.RootIn(j);
        Assert.True(t.K.Syscalls.RctlAddRule(t.K.Init, "jail:pg:nsem:deny=1").Ok);
        var before = j.References;
        // The racct charge fails after the creator reference was taken: it must go back.
        Assert.Equal(Errno.ENOSPC, t.K.Syscalls.SemGet(p, IPC_PRIVATE, 2, 0x180).Error);
        Assert.Equal(before, j.References);
    }

    [Fact]
    public void A_killed_process_cannot_create_a_set_after_its_jail_was_cleaned_up()
    {
        using var t = new SemTestKernel();
        var j = t.Jail("gone");
        var p = t.RootIn(j);
        // Something else keeps the dying jail (a descriptor, an object in another namespace).
        Assert.True(j.TryHold(out var hold));
        t.RemoveJail(j); // kills p and removes the sets of j's namespace
        Assert.Equal(JailState.Dying, j.State);
        // p's semget was already on its way in: a set made now would escape the cleanup that ran, keep
        // its nsem charge and hold the jail dying for ever.
        Assert.Equal(Errno.EINTR, t.K.Syscalls.SemGet(p, IPC_PRIVATE, 1, 0x180).Error);
        hold!.Dispose();
        Assert.Equal(JailState.Dead, j.State);
        Assert.Equal(0, t.K.Racct.Usage(t.K.Prison0, Prison.Core.Rctl.RacctResource.Nsem));
    }
}
