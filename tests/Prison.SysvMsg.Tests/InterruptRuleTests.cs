using Prison.Core;
using static Prison.SysvMsg.Tests.MsgFixture;

namespace Prison.SysvMsg.Tests;

/// <summary>
/// One rule for every blocking call: the interrupt state is read at syscall entry. A signal that arrives
/// after the call started but before it sleeps interrupts the sleep (EINTR) instead of being lost.
/// The tests hold the queue's lock to stop the caller between entry and sleep.
/// </summary>
public sealed class InterruptRuleTests
{
    [Fact]
    public void A_signal_between_msgrcv_entry_and_its_sleep_is_not_lost()
    {
        using var f = new MsgFixture();
        var id = f.Get(f.Root, 7, CREAT | Oct(600));
        var receiver = f.Proc(0, 0);
        var gate = f.Queues.GateOf(id)!;
        Blocked<(Errno, long, byte[])> call;
        gate.Enter();
        try
        {
            call = new Blocked<(Errno, long, byte[])>(() => f.Receive(receiver, id, 0, flags: 0));
            Assert.True(SpinWait.SpinUntil(() => call.IsWaiting, Patience), "msgrcv never reached the queue lock");
            receiver.Signal();
        }
        finally
        {
            gate.Exit();
        }
        Assert.Equal(Errno.EINTR, call.Result().Item1);
        Assert.Equal((0, 0), f.Queues.Sleepers(id));
    }

    [Fact]
    public void A_signal_between_msgsnd_entry_and_its_sleep_is_not_lost()
    {
        using var f = new MsgFixture();
        var id = f.Get(f.Root, 7, CREAT | Oct(600));
        Assert.Equal(Errno.OK, f.Send(f.Root, id, 1, new byte[2048]));
        var sender = f.Proc(0, 0);
        var gate = f.Queues.GateOf(id)!;
        Blocked<Errno> call;
        gate.Enter();
        try
        {
            call = new Blocked<Errno>(() => f.Send(sender, id, 1, "x", flags: 0));
            Assert.True(SpinWait.SpinUntil(() => call.IsWaiting, Patience), "msgsnd never reached the queue lock");
            sender.Signal();
        }
        finally
        {
            gate.Exit();
        }
        Assert.Equal(Errno.EINTR, call.Result());
        Assert.Equal((0, 0), f.Queues.Sleepers(id));
        Assert.Equal((1UL, 2048UL), (f.Stat(f.Root, id).Qnum, f.Stat(f.Root, id).Cbytes));
    }

    [Fact]
    public void A_signal_before_the_call_does_not_interrupt_it()
    {
        using var f = new MsgFixture();
        var id = f.Get(f.Root, 7, CREAT | Oct(600));
        var receiver = f.Proc(0, 0);
        receiver.Signal();
        Assert.Equal(Errno.EWOULDSLEEP, f.Receive(receiver, id, 0, flags: 0, wait: WaitPolicy.ReportWouldSleep).Error);
    }
}
