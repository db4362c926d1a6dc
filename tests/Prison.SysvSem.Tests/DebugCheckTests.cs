using System.Reflection;
using Prison.Core.Ipc;
using Prison.Core.Ipc.Sysv;
using Prison.Plugins.SysvSem;
using Prison.Tests.Shared;
using static Prison.Core.Ipc.IpcConstants;

namespace Prison.SysvSem.Tests;

/// <summary>
/// The debug-build invariant checks (docs/locking.md, "Debug checks") run in this suite: state corrupted
/// behind the module's back is caught by the next operation that checks it.
/// </summary>
public sealed class DebugCheckTests : IDisposable
{
    private readonly SemTestKernel _t = new();

    public void Dispose() => _t.Dispose();

    [SkippableFact]
    public void A_semtot_that_disagrees_with_the_sets_is_caught_when_a_set_is_created()
    {
        DebugBuild.Require();
        _t.NewSet(_t.Host, nsems: 2);
        var field = typeof(SemFacility).GetField("_semtot", BindingFlags.NonPublic | BindingFlags.Instance)!;
        var semtot = (int)field.GetValue(_t.Semaphores)!;
        field.SetValue(_t.Semaphores, semtot + 1);

        var caught = Record.Exception(() => _t.K.Syscalls.SemGet(_t.Host, IPC_PRIVATE, 1, 0x1b6));

        // The set was made before the check ran: give semtot its true value so the unload finds it sound.
        field.SetValue(_t.Semaphores, semtot + 1);
        Assert.NotNull(caught);
        Assert.Contains("semtot is 4 but the sets hold 3 semaphores", caught.ToString());
    }

    [SkippableFact]
    public void A_semncnt_without_a_sleeper_is_caught_by_the_next_semctl()
    {
        DebugBuild.Require();
        var id = _t.NewSet(_t.Host);
        var sets = (IpcSlotTable<SemSet>)typeof(SemFacility).GetField("_sets", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(_t.Semaphores)!;
        var set = sets.Lookup(id)!;
        lock (set.Gate)
            set.Sems[0].Ncnt = 1;

        var caught = Record.Exception(() => _t.K.Syscalls.SemCtl(_t.Host, id, 0, GETVAL, new SemUn()));

        lock (set.Gate)
            set.Sems[0].Ncnt = 0;
        Assert.NotNull(caught);
        Assert.Contains("semncnt 1 but 0 sleepers wait for an increase", caught.ToString());
    }
}
