using System.Text;
using Prison.Core;
using Prison.Core.Ipc;
using static Prison.SysvMsg.Tests.MsgFixture;

namespace Prison.SysvMsg.Tests;

public class BlockingTests
{
    [Fact]
    public void Send_into_a_full_queue_sleeps_until_a_receiver_drains_it()
    {
        using var f = new MsgFixture();
        var id = f.Get(f.Root, 7, CREAT | Oct(600));
        Assert.Equal(Errno.OK, f.Send(f.Root, id, 1, new byte[2045]));
        var sender = f.Proc(0, 0);
        var blocked = Start(() => f.Send(sender, id, 2, "late", flags: 0));
        f.WaitForSleepers(id, senders: 1, receivers: 0);
        Assert.False(blocked.IsFinished);
        Assert.Equal(1UL, f.Stat(f.Root, id).Qnum);

        Assert.Equal(2045, f.Receive(f.Root, id, 0).Body.Length);
        Assert.Equal(Errno.OK, blocked.Result());
        var ds = f.Stat(f.Root, id);
        Assert.Equal((1UL, 4UL, sender.Pid), (ds.Qnum, ds.Cbytes, ds.Lspid));
        Assert.Equal("late", f.ReceiveText(f.Root, id, 2));
    }

    [Fact]
    public void Receiver_sleeps_until_a_message_arrives()
    {
        using var f = new MsgFixture();
        var id = f.Get(f.Root, 7, CREAT | Oct(600));
        var receiver = f.Proc(0, 0);
        var blocked = Start(() => f.Receive(receiver, id, 0, flags: 0));
        f.WaitForSleepers(id, 0, 1);
        Assert.Equal(Errno.OK, f.Send(f.Root, id, 4, "wake"));
        var (error, type, body) = blocked.Result();
        Assert.Equal((Errno.OK, 4L, "wake"), (error, type, Encoding.UTF8.GetString(body)));
        var ds = f.Stat(f.Root, id);
        Assert.Equal((0UL, receiver.Pid), (ds.Qnum, ds.Lrpid));
    }

    [Fact]
    public void Typed_receivers_wake_only_for_their_type()
    {
        using var f = new MsgFixture();
        var id = f.Get(f.Root, 7, CREAT | Oct(600));
        var wants3 = Start(() => f.Receive(f.Proc(0, 0), id, 3, flags: 0));
        var wantsUpTo2 = Start(() => f.Receive(f.Proc(0, 0), id, -2, flags: 0));
        f.WaitForSleepers(id, 0, 2);

        Assert.Equal(Errno.OK, f.Send(f.Root, id, 5, "five"));
        Assert.Equal(Errno.OK, f.Send(f.Root, id, 2, "two"));
        var (e2, t2, b2) = wantsUpTo2.Result();
        Assert.Equal((Errno.OK, 2L, "two"), (e2, t2, Encoding.UTF8.GetString(b2)));
        Assert.False(wants3.IsFinished);
        f.WaitForSleepers(id, 0, 1);

        Assert.Equal(Errno.OK, f.Send(f.Root, id, 3, "three"));
        var (e3, t3, b3) = wants3.Result();
        Assert.Equal((Errno.OK, 3L, "three"), (e3, t3, Encoding.UTF8.GetString(b3)));
        Assert.Equal("five", f.ReceiveText(f.Root, id, 0));
    }

    [Fact]
    public void Equal_receivers_wake_in_the_order_they_went_to_sleep()
    {
        using var f = new MsgFixture();
        var id = f.Get(f.Root, 7, CREAT | Oct(600));
        var sleepers = new List<Blocked<(Errno, long, byte[])>>();
        for (var i = 0; i < 4; i++)
        {
            sleepers.Add(Start(() => f.Receive(f.Proc(0, 0), id, 0, flags: 0)));
            f.WaitForSleepers(id, 0, i + 1);
        }
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(Errno.OK, f.Send(f.Root, id, 1, $"m{i}"));
            // Each message goes to the oldest sleeper, not to whichever thread runs first.
            Assert.Equal($"m{i}", Encoding.UTF8.GetString(sleepers[i].Result().Item3));
        }
    }

    [Fact]
    public void Senders_get_room_in_the_order_they_went_to_sleep_and_a_small_one_does_not_overtake()
    {
        using var f = new MsgFixture();
        var id = f.Get(f.Root, 7, CREAT | Oct(600));
        Assert.Equal(Errno.OK, f.Send(f.Root, id, 1, new byte[2048]));
        var big = Start(() => f.Send(f.Proc(0, 0), id, 2, new byte[1500], flags: 0));
        f.WaitForSleepers(id, 1, 0);
        var small = Start(() => f.Send(f.Proc(0, 0), id, 3, new byte[10], flags: 0));
        f.WaitForSleepers(id, 2, 0);
        // A newcomer with IPC_NOWAIT waits its turn too (EAGAIN), as FreeBSD's MSG_LOCKED makes it.
        Assert.Equal(Errno.EAGAIN, f.Send(f.Root, id, 4, new byte[1]));

        Assert.Equal(Errno.OK, f.Receive(f.Root, id, 0).Error);
        Assert.Equal(Errno.OK, big.Result());
        Assert.Equal(Errno.OK, small.Result());
        Assert.Equal(1500, f.Receive(f.Root, id, 0).Body.Length);
        Assert.Equal(10, f.Receive(f.Root, id, 0).Body.Length);
    }

    [Fact]
    public void A_sleeping_sender_whose_message_is_invalid_fails_only_when_room_comes()
    {
        using var f = new MsgFixture();
        var id = f.Get(f.Root, 7, CREAT | Oct(600));
        Assert.Equal(Errno.OK, f.Send(f.Root, id, 1, new byte[2048]));
        var badType = Start(() => f.Kernel.Syscalls.MsgSnd(f.Proc(0, 0), id, 0, new byte[4], 4, 0));
        f.WaitForSleepers(id, 1, 0);
        var fault = Start(() => f.Kernel.Syscalls.MsgSnd(f.Proc(0, 0), id, 1, new byte[4], 8, 0));
        f.WaitForSleepers(id, 2, 0);
        Assert.Equal(Errno.OK, f.Receive(f.Root, id, 0).Error);
        Assert.Equal(Errno.EINVAL, badType.Result());
        Assert.Equal(Errno.EFAULT, fault.Result());
        Assert.Equal(0UL, f.Stat(f.Root, id).Qnum);
    }

    [Fact]
    public void Lowering_qbytes_below_a_sleeping_senders_size_fails_it_with_EINVAL()
    {
        using var f = new MsgFixture();
        var id = f.Get(f.Root, 7, CREAT | Oct(600));
        Assert.Equal(Errno.OK, f.Send(f.Root, id, 1, new byte[2000]));
        var sender = Start(() => f.Send(f.Proc(0, 0), id, 1, new byte[100], flags: 0));
        f.WaitForSleepers(id, 1, 0);
        var ds = f.Stat(f.Root, id) with { Qbytes = 50 };
        Assert.True(f.Kernel.Syscalls.MsgCtl(f.Root, id, IpcConstants.IPC_SET, ref ds).Ok);
        Assert.Equal(Errno.EINVAL, sender.Result());
    }

    [Fact]
    public void Raising_msgtql_lets_a_sender_waiting_for_headers_in()
    {
        using var f = new MsgFixture();
        Assert.Equal(Errno.OK, f.SetSysctl("kern.ipc.msgtql", 1));
        var id = f.Get(f.Root, 7, CREAT | Oct(600));
        Assert.Equal(Errno.OK, f.Send(f.Root, id, 1, "a"));
        var sender = Start(() => f.Send(f.Proc(0, 0), id, 1, "b", flags: 0));
        f.WaitForSleepers(id, 1, 0);
        Assert.Equal(Errno.OK, f.SetSysctl("kern.ipc.msgtql", 2));
        Assert.Equal(Errno.OK, sender.Result());
        Assert.Equal(2UL, f.Stat(f.Root, id).Qnum);
    }

    [Fact]
    public void Removing_the_queue_wakes_senders_and_receivers_with_EIDRM()
    {
        using var f = new MsgFixture();
        var full = f.Get(f.Root, 1, CREAT | Oct(600));
        var empty = f.Get(f.Root, 2, CREAT | Oct(600));
        Assert.Equal(Errno.OK, f.Send(f.Root, full, 1, new byte[2048]));
        var sender = Start(() => f.Send(f.Proc(0, 0), full, 1, "x", flags: 0));
        var receiver = Start(() => f.Receive(f.Proc(0, 0), empty, 0, flags: 0));
        f.WaitForSleepers(full, 1, 0);
        f.WaitForSleepers(empty, 0, 1);
        Assert.Equal(Errno.OK, f.Rmid(f.Root, full));
        Assert.Equal(Errno.OK, f.Rmid(f.Root, empty));
        Assert.Equal(Errno.EIDRM, sender.Result());
        Assert.Equal(Errno.EIDRM, receiver.Result().Item1);
    }

    [Fact]
    public void Removing_the_jail_wakes_its_queue_sleepers_with_EIDRM()
    {
        using var f = new MsgFixture();
        var jail = f.Jail("j1");
        var jroot = f.RootIn(jail);
        var id = f.Get(jroot, 7, CREAT | Oct(600));
        // The host's process sleeps on the jail's queue, so it survives the jail's processes being killed.
        var receiver = Start(() => f.Receive(f.Root, id, 0, flags: 0));
        f.WaitForSleepers(id, 0, 1);
        Assert.Equal(Errno.OK, f.Kernel.Syscalls.JailRemove(f.Root, jail.Id));
        Assert.Equal(Errno.EIDRM, receiver.Result().Item1);
        Assert.Empty(f.Msqids(f.Root));
        Assert.Equal(0, f.Queues.QueueCount);
    }

    [Fact]
    public void A_signal_wakes_a_sleeper_with_EINTR_and_changes_nothing()
    {
        using var f = new MsgFixture();
        var id = f.Get(f.Root, 7, CREAT | Oct(600));
        Assert.Equal(Errno.OK, f.Send(f.Root, id, 1, new byte[2048]));
        var sender = f.Proc(0, 0);
        var receiver = f.Proc(0, 0);
        var send = Start(() => f.Send(sender, id, 1, "x", flags: 0));
        var receive = Start(() => f.Receive(receiver, id, 5, flags: 0));
        f.WaitForSleepers(id, 1, 1);
        sender.Signal();
        Assert.Equal(Errno.EINTR, send.Result());
        receiver.Signal();
        Assert.Equal(Errno.EINTR, receive.Result().Item1);
        Assert.Equal((1UL, 2048UL), (f.Stat(f.Root, id).Qnum, f.Stat(f.Root, id).Cbytes));
        // The signal is delivered once: the next call sleeps again.
        Assert.Equal(Errno.EWOULDSLEEP, f.Receive(receiver, id, 5, flags: 0, wait: WaitPolicy.ReportWouldSleep).Error);
        Assert.Equal(Errno.ENOMSG, f.Receive(receiver, id, 5).Error);
    }

    [Fact]
    public void A_signal_to_the_first_sender_in_line_lets_the_next_one_go()
    {
        using var f = new MsgFixture();
        var id = f.Get(f.Root, 7, CREAT | Oct(600));
        Assert.Equal(Errno.OK, f.Send(f.Root, id, 1, new byte[2000]));
        var first = f.Proc(0, 0);
        var big = Start(() => f.Send(first, id, 1, new byte[100], flags: 0));
        f.WaitForSleepers(id, 1, 0);
        var small = Start(() => f.Send(f.Proc(0, 0), id, 1, new byte[10], flags: 0));
        f.WaitForSleepers(id, 2, 0);
        first.Signal();
        Assert.Equal(Errno.EINTR, big.Result());
        Assert.Equal(Errno.OK, small.Result());
    }

    [Fact]
    public void Killing_the_process_wakes_its_sleeper_with_EINTR_and_later_calls_do_not_sleep()
    {
        using var f = new MsgFixture();
        var id = f.Get(f.Root, 7, CREAT | Oct(600));
        var victim = f.Proc(0, 0);
        var receive = Start(() => f.Receive(victim, id, 0, flags: 0));
        f.WaitForSleepers(id, 0, 1);
        f.Kernel.Processes.Exit(victim);
        Assert.Equal(Errno.EINTR, receive.Result().Item1);
        Assert.Equal(Errno.EINTR, f.Receive(victim, id, 0, flags: 0).Error);
        Assert.Equal((0, 0), f.Queues.Sleepers(id));
    }

    [Fact]
    public void A_message_handed_to_a_sleeper_is_not_lost_to_a_signal_that_comes_after()
    {
        using var f = new MsgFixture();
        var id = f.Get(f.Root, 7, CREAT | Oct(600));
        var receiver = f.Proc(0, 0);
        var receive = Start(() => f.Receive(receiver, id, 0, flags: 0));
        f.WaitForSleepers(id, 0, 1);
        Assert.Equal(Errno.OK, f.Send(f.Root, id, 1, "mine"));
        receiver.Signal();
        var (error, _, body) = receive.Result();
        Assert.Equal((Errno.OK, "mine"), (error, Encoding.UTF8.GetString(body)));
    }
}
