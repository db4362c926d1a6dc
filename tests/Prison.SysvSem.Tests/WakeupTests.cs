using Prison.Core;
using static Prison.Core.Ipc.IpcConstants;
using static Prison.SysvSem.Tests.SemTestKernel;

namespace Prison.SysvSem.Tests;

/// <summary>
/// Wake-ups are targeted: a change wakes only sleepers of the set it changed whose blocked operation may
/// now succeed; removal and signals wake exactly the threads concerned.
/// </summary>
public sealed class WakeupTests : IDisposable
{
    private readonly SemTestKernel _t = new();

    public void Dispose() => _t.Dispose();

    [Fact]
    public void Semops_on_another_jails_set_wake_no_one()
    {
        var a = _t.NewSet(_t.RootIn(_t.Jail("a")));
        var bProc = _t.RootIn(_t.Jail("b"));
        var b = _t.NewSet(bProc);
        var sleeper = _t.OpInBackground(_t.Spawn(0, 0), a, B(0, -1));
        Assert.True(Eventually(() => _t.Ncnt(a) == 1), "the sleeper never slept");
        var before = _t.Semaphores.Wakeups;
        for (var i = 0; i < 1000; i++)
        {
            Assert.Equal(Errno.OK, _t.Op(bProc, b, B(0, 1)));
            Assert.Equal(Errno.OK, _t.Op(bProc, b, B(0, -1)));
        }
        Assert.Equal(before, _t.Semaphores.Wakeups);
        Assert.False(sleeper.IsCompleted);
        Assert.Equal(Errno.OK, _t.Op(_t.Host, a, B(0, 1)));
        Assert.Equal(Errno.OK, Finish(sleeper));
        Assert.Equal(before + 1, _t.Semaphores.Wakeups);
    }

    [Fact]
    public void A_post_wakes_only_the_sleepers_it_lets_through()
    {
        var id = _t.NewSet(_t.Host);
        var needsTwo = _t.OpInBackground(_t.Spawn(0, 0), id, B(0, -2));
        Assert.True(Eventually(() => _t.Ncnt(id) == 1));
        var needsOne = _t.OpInBackground(_t.Spawn(0, 0), id, B(0, -1));
        var zero = _t.OpInBackground(_t.Spawn(0, 0), id, B(0, 0));
        Assert.True(Eventually(() => _t.Ncnt(id) == 2 && _t.Zcnt(id) == 0));
        var before = _t.Semaphores.Wakeups;

        // Value 1: only the -1 sleeper can go; the -2 sleeper is not disturbed. The wait-for-zero went
        // through at once (the value was 0).
        Assert.Equal(Errno.OK, Finish(zero));
        Assert.Equal(Errno.OK, _t.Op(_t.Host, id, B(0, 1)));
        Assert.Equal(Errno.OK, Finish(needsOne));
        Assert.Equal(before + 1, _t.Semaphores.Wakeups);
        Assert.False(needsTwo.IsCompleted);
        Assert.Equal(1, _t.Ncnt(id));

        Assert.Equal(Errno.OK, _t.Op(_t.Host, id, B(0, 2)));
        Assert.Equal(Errno.OK, Finish(needsTwo));
        Assert.Equal(0, _t.Val(id));
    }

    [Fact]
    public void A_vector_that_adds_before_it_waits_is_woken_by_what_it_needs_with_its_own_addition()
    {
        // [+1, -2] on one semaphore at 0 blocks on the -2 (it sees 1). A post of 1 makes it 1 + 1 - 2 = 0.
        var id = _t.NewSet(_t.Host);
        var task = _t.OpInBackground(_t.Spawn(0, 0), id, B(0, 1), B(0, -2));
        Assert.True(Eventually(() => _t.Ncnt(id) == 1));
        Assert.Equal(Errno.OK, _t.Op(_t.Host, id, B(0, 1)));
        Assert.Equal(Errno.OK, Finish(task));
        Assert.Equal(0, _t.Val(id));
    }

    [Fact]
    public void Removal_wakes_every_sleeper_of_the_set_with_EIDRM_and_no_other()
    {
        var id = _t.NewSet(_t.Host);
        var other = _t.NewSet(_t.Host);
        var a = _t.OpInBackground(_t.Spawn(0, 0), id, B(0, -1));
        var b = _t.OpInBackground(_t.Spawn(0, 0), id, B(0, 0), B(0, -1));
        var c = _t.OpInBackground(_t.Spawn(0, 0), other, B(0, -1));
        Assert.True(Eventually(() => _t.Ncnt(id) == 2 && _t.Ncnt(other) == 1));
        Assert.Equal(0, _t.Ctl(_t.Host, id, 0, IPC_RMID));
        Assert.Equal([Errno.EIDRM, Errno.EIDRM], FinishAll(a, b));
        Assert.False(c.IsCompleted);
        Assert.Equal(1, _t.Ncnt(other));
        Assert.Equal(0, _t.Ctl(_t.Host, other, 0, IPC_RMID));
        Assert.Equal(Errno.EIDRM, Finish(c));
    }

    [Fact]
    public void A_signal_wakes_only_the_signalled_process()
    {
        var id = _t.NewSet(_t.Host);
        var victim = _t.Spawn(0, 0);
        var bystander = _t.Spawn(0, 0);
        var v = _t.OpInBackground(victim, id, B(0, -1));
        var s = _t.OpInBackground(bystander, id, B(0, -1));
        Assert.True(Eventually(() => _t.Ncnt(id) == 2));
        victim.Signal();
        Assert.Equal(Errno.EINTR, Finish(v));
        Assert.False(s.IsCompleted);
        Assert.Equal(1, _t.Ncnt(id));
        Assert.Equal(Errno.OK, _t.Op(_t.Host, id, B(0, 1)));
        Assert.Equal(Errno.OK, Finish(s));
    }
}

/// <summary>
/// One rule for every blocking call: the interrupt state is read at syscall entry, so a signal between
/// entry and the sleep interrupts it. The test holds the set's lock to stop the caller in between.
/// </summary>
public sealed class InterruptRuleTests : IDisposable
{
    private readonly SemTestKernel _t = new();

    public void Dispose() => _t.Dispose();

    [Fact]
    public void A_signal_between_semop_entry_and_its_sleep_is_not_lost()
    {
        var id = _t.NewSet(_t.Host);
        var victim = _t.Spawn(0, 0);
        var gate = _t.Semaphores.GateOf(id)!;
        Errno result = Errno.OK;
        var thread = new Thread(() => result = _t.Op(victim, id, B(0, -1))) { IsBackground = true };
        gate.Enter();
        try
        {
            thread.Start();
            Assert.True(SpinWait.SpinUntil(() => (thread.ThreadState & ThreadState.WaitSleepJoin) != 0, Bound),
                "semop never reached the set's lock");
            victim.Signal();
        }
        finally
        {
            gate.Exit();
        }
        Assert.True(thread.Join(Bound), "semop never returned");
        Assert.Equal(Errno.EINTR, result);
        Assert.Equal(0, _t.Ncnt(id));
    }
}
