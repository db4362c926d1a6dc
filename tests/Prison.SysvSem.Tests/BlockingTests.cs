using Prison.Core;
using Prison.Core.Ipc;
using static Prison.Core.Ipc.IpcConstants;
using static Prison.SysvSem.Tests.SemTestKernel;

namespace Prison.SysvSem.Tests;

/// <summary>semop really sleeps, and wakes for the right reasons with the right result.</summary>
public sealed class BlockingTests : IDisposable
{
    private readonly SemTestKernel _t = new();

    public void Dispose() => _t.Dispose();

    [Fact]
    public void A_waiter_sleeps_is_counted_and_wakes_on_a_post_from_another_thread()
    {
        var id = _t.NewSet(_t.Host);
        var waiter = _t.Spawn(0, 0);
        var task = _t.OpInBackground(waiter, id, B(0, -1));
        Assert.True(Eventually(() => _t.Ncnt(id) == 1), "the waiter never slept");
        Assert.False(task.IsCompleted, "woke without a post");
        Assert.Equal(0, _t.Zcnt(id));

        Assert.Equal(Errno.OK, _t.Op(_t.Host, id, B(0, 1)));
        Assert.Equal(Errno.OK, Finish(task));
        Assert.Equal(0, _t.Val(id));
        Assert.Equal(0, _t.Ncnt(id));
        Assert.Equal(waiter.Pid, _t.Ctl(_t.Host, id, 0, GETPID));
    }

    [Fact]
    public void Wait_for_zero_is_counted_in_GETZCNT_and_wakes_when_the_value_reaches_zero()
    {
        var id = _t.NewSet(_t.Host);
        _t.SetVal(id, 0, 2);
        var a = _t.OpInBackground(_t.Spawn(0, 0), id, B(0, 0));
        var b = _t.OpInBackground(_t.Spawn(0, 0), id, B(0, 0));
        Assert.True(Eventually(() => _t.Zcnt(id) == 2));
        Assert.Equal(Errno.OK, _t.Op(_t.Host, id, B(0, -1)));
        Assert.Equal(2, _t.Zcnt(id));
        Assert.False(a.IsCompleted || b.IsCompleted);
        Assert.Equal(Errno.OK, _t.Op(_t.Host, id, B(0, -1)));
        Assert.Equal([Errno.OK, Errno.OK], FinishAll(a, b));
        Assert.Equal(0, _t.Zcnt(id));
    }

    [Fact]
    public void A_vector_completes_only_when_all_of_it_can_and_changes_nothing_before()
    {
        var id = _t.NewSet(_t.Host, 2);
        var task = _t.OpInBackground(_t.Spawn(0, 0), id, B(0, -1), B(1, -1));
        Assert.True(Eventually(() => _t.Ncnt(id, 0) == 1));
        Assert.Equal(Errno.OK, _t.Op(_t.Host, id, B(0, 1)));
        // Woken, it finds the second semaphore at 0, rolls back and sleeps on it.
        Assert.True(Eventually(() => _t.Ncnt(id, 1) == 1));
        Assert.Equal(1, _t.Val(id, 0));
        Assert.False(task.IsCompleted, "woke without a post");
        Assert.Equal(Errno.OK, _t.Op(_t.Host, id, B(1, 1)));
        Assert.Equal(Errno.OK, Finish(task));
        Assert.Equal((0, 0), (_t.Val(id, 0), _t.Val(id, 1)));
    }

    [Fact]
    public void SETVAL_wakes_waiters()
    {
        var id = _t.NewSet(_t.Host);
        var task = _t.OpInBackground(_t.Spawn(0, 0), id, B(0, -3));
        Assert.True(Eventually(() => _t.Ncnt(id) == 1));
        _t.SetVal(id, 0, 5);
        Assert.Equal(Errno.OK, Finish(task));
        Assert.Equal(2, _t.Val(id));
    }

    [Fact]
    public void IPC_RMID_wakes_every_sleeper_with_EIDRM()
    {
        var id = _t.NewSet(_t.Host, 2);
        _t.SetVal(id, 1, 1);
        var a = _t.OpInBackground(_t.Spawn(0, 0), id, B(0, -1));
        var b = _t.OpInBackground(_t.Spawn(0, 0), id, B(1, 0), B(0, 1));
        Assert.True(Eventually(() => _t.Ncnt(id, 0) == 1 && _t.Zcnt(id, 1) == 1));
        _t.Ctl(_t.Host, id, 0, IPC_RMID);
        Assert.Equal([Errno.EIDRM, Errno.EIDRM], FinishAll(a, b));
        Assert.True(_t.K.Modules.Unload(_t.Host.Cred, "sysvsem").Ok);
    }

    [Fact]
    public void Removing_the_jail_wakes_an_outside_sleeper_on_its_set_with_EIDRM()
    {
        var j = _t.Jail("pg");
        var inside = _t.RootIn(j);
        var id = _t.NewSet(inside);
        var fromHost = _t.OpInBackground(_t.Spawn(0, 0), id, B(0, -1));
        var fromJail = _t.OpInBackground(inside, id, B(0, -1));
        Assert.True(Eventually(() => _t.Ncnt(id) == 2));
        _t.RemoveJail(j);
        var results = FinishAll(fromHost, fromJail);
        Assert.Equal(Errno.EIDRM, results[0]);
        // The jail's own sleeper is both killed and loses its set; which it notices first is a race
        // FreeBSD has too (it checks removal first).
        Assert.Contains(results[1], new[] { Errno.EINTR, Errno.EIDRM });
        Assert.Empty(_t.Sema(_t.Host));
    }

    [Fact]
    public void Removing_the_jail_kills_its_sleepers_on_outside_sets_with_EINTR()
    {
        var j = _t.Jail("inh", sysvsem: "inherit");
        var id = _t.NewSet(_t.Host);
        var task = _t.OpInBackground(_t.RootIn(j), id, B(0, -1));
        Assert.True(Eventually(() => _t.Ncnt(id) == 1));
        _t.RemoveJail(j);
        Assert.Equal(Errno.EINTR, Finish(task));
        Assert.Equal(0, _t.Ncnt(id));
    }

    [Fact]
    public void A_signal_interrupts_a_sleeper_with_EINTR_and_a_later_call_can_sleep_again()
    {
        var id = _t.NewSet(_t.Host);
        var p = _t.Spawn(0, 0);
        var task = _t.OpInBackground(p, id, B(0, -1, SEM_UNDO));
        Assert.True(Eventually(() => _t.Ncnt(id) == 1));
        p.Signal();
        Assert.Equal(Errno.EINTR, Finish(task));
        Assert.Equal(0, _t.Ncnt(id));

        var again = _t.OpInBackground(p, id, B(0, -1, SEM_UNDO));
        Assert.True(Eventually(() => _t.Ncnt(id) == 1));
        Assert.Equal(Errno.OK, _t.Op(_t.Host, id, B(0, 1)));
        Assert.Equal(Errno.OK, Finish(again));
    }

    [Fact]
    public void Killing_the_process_interrupts_its_sleeper_and_applies_its_undo()
    {
        var held = _t.NewSet(_t.Host);
        var other = _t.NewSet(_t.Host);
        var p = _t.Spawn(0, 0);
        Assert.Equal(Errno.OK, _t.Op(p, held, B(0, 5, SEM_UNDO)));
        var task = _t.OpInBackground(p, other, B(0, -1, SEM_UNDO));
        Assert.True(Eventually(() => _t.Ncnt(other) == 1));
        _t.K.Processes.Exit(p);
        Assert.Equal(Errno.EINTR, Finish(task));
        Assert.Equal(0, _t.Val(held));
        Assert.Equal(0, _t.Ncnt(other));
        // An exited process cannot start a new call that would sleep or leave undo entries behind.
        Assert.Equal(Errno.EINTR, _t.Op(p, other, B(0, -1)));
        Assert.Equal(Errno.EINTR, _t.Op(p, held, B(0, 1, SEM_UNDO)));
        Assert.Equal(0, _t.Val(held));
    }

    [Fact]
    public void Undo_at_exit_restores_values_clamped_at_zero_and_wakes_sleepers()
    {
        var id = _t.NewSet(_t.Host, 2);
        _t.SetVal(id, 1, 2);
        var p = _t.Spawn(0, 0);
        Assert.Equal(Errno.OK, _t.Op(p, id, B(0, 3, SEM_UNDO), B(1, -1, SEM_UNDO)));
        Assert.Equal(Errno.OK, _t.Op(_t.Host, id, B(0, -2)));
        var waiter = _t.OpInBackground(_t.Spawn(0, 0), id, B(1, -2));
        Assert.True(Eventually(() => _t.Ncnt(id, 1) == 1));
        _t.K.Processes.Exit(p);
        // sem 0: 1 - 3 clamps to 0; sem 1: 1 + 1 = 2 wakes the waiter, which takes both.
        Assert.Equal(Errno.OK, Finish(waiter));
        Assert.Equal((0, 0), (_t.Val(id, 0), _t.Val(id, 1)));
    }
}
