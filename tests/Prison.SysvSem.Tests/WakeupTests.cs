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
/// A wake-up is never consumed by a thread that then leaves without passing it on (the "lost baton" of
/// wake-one designs): a change wakes every sleeper it may let through, and each retries its whole vector
/// under the set's lock. The tests hold the set's lock (it is re-entrant) so that the change, the signal
/// and the newcomer all happen before any woken sleeper can run.
/// </summary>
public sealed class WakeupHandOffTests : IDisposable
{
    private readonly SemTestKernel _t = new();

    public void Dispose() => _t.Dispose();

    [Fact]
    public void A_woken_sleeper_that_is_then_signalled_does_not_take_the_wake_up_of_the_others()
    {
        var id = _t.NewSet(_t.Host);
        var victim = _t.Spawn(0, 0);
        var v = _t.OpInBackground(victim, id, B(0, -1));
        Assert.True(Eventually(() => _t.Ncnt(id) == 1), "the first sleeper never slept");
        var other = _t.OpInBackground(_t.Spawn(0, 0), id, B(0, -1));
        Assert.True(Eventually(() => _t.Ncnt(id) == 2), "the second sleeper never slept");
        var gate = _t.Semaphores.GateOf(id)!;
        var before = _t.Semaphores.Wakeups;
        gate.Enter();
        try
        {
            // One unit for two sleepers, then the first one is signalled before either can run.
            Assert.Equal(Errno.OK, _t.Op(_t.Host, id, B(0, 1)));
            victim.Signal();
        }
        finally
        {
            gate.Exit();
        }
        Assert.Equal([Errno.EINTR, Errno.OK], FinishAll(v, other));
        Assert.Equal(before + 2, _t.Semaphores.Wakeups);
        Assert.Equal(0, _t.Val(id));
        Assert.Equal(0, _t.Ncnt(id));
    }

    [Fact]
    public void A_woken_sleeper_that_loses_the_unit_to_a_newcomer_sleeps_again_and_is_woken_by_the_next_post()
    {
        var id = _t.NewSet(_t.Host);
        var sleeper = _t.OpInBackground(_t.Spawn(0, 0), id, B(0, -1));
        Assert.True(Eventually(() => _t.Ncnt(id) == 1), "the sleeper never slept");
        var gate = _t.Semaphores.GateOf(id)!;
        gate.Enter();
        try
        {
            Assert.Equal(Errno.OK, _t.Op(_t.Host, id, B(0, 1)));
            Assert.Equal(Errno.OK, _t.Op(_t.Host, id, B(0, -1, IPC_NOWAIT)));
        }
        finally
        {
            gate.Exit();
        }
        // It retried, found nothing and went back to sleep on a re-armed event.
        Assert.True(Eventually(() => _t.Ncnt(id) == 1 && _t.Semaphores.Sleepers == 1), "the sleeper did not sleep again");
        Assert.False(sleeper.IsCompleted);
        Assert.Equal(Errno.OK, _t.Op(_t.Host, id, B(0, 1)));
        Assert.Equal(Errno.OK, Finish(sleeper));
        Assert.Equal(0, _t.Val(id));
    }

    [Fact]
    public void Undo_at_exit_wakes_every_sleeper_it_lets_through_even_when_the_first_is_signalled()
    {
        var id = _t.NewSet(_t.Host);
        var holder = _t.Spawn(0, 0);
        _t.SetVal(id, 0, 2);
        Assert.Equal(Errno.OK, _t.Op(holder, id, B(0, -2, SEM_UNDO)));
        var victim = _t.Spawn(0, 0);
        var v = _t.OpInBackground(victim, id, B(0, -1));
        Assert.True(Eventually(() => _t.Ncnt(id) == 1), "the first sleeper never slept");
        var a = _t.OpInBackground(_t.Spawn(0, 0), id, B(0, -1));
        var b = _t.OpInBackground(_t.Spawn(0, 0), id, B(0, -1));
        Assert.True(Eventually(() => _t.Ncnt(id) == 3), "the other sleepers never slept");
        var gate = _t.Semaphores.GateOf(id)!;
        gate.Enter();
        try
        {
            // The exit gives back 2 units; the first sleeper is signalled before anyone runs.
            _t.K.Processes.Exit(holder);
            victim.Signal();
        }
        finally
        {
            gate.Exit();
        }
        Assert.Equal([Errno.EINTR, Errno.OK, Errno.OK], FinishAll(v, a, b));
        Assert.Equal(0, _t.Val(id));
        Assert.Equal(0, _t.Ncnt(id));
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
