using Prison.Core;
using Prison.Core.Ipc;
using static Prison.SysvMsg.Tests.MsgFixture;

namespace Prison.SysvMsg.Tests;

public class MsgSndTests
{
    [Fact]
    public void Errors_come_in_FreeBSD_order_id_then_access_then_size_then_room_then_type_then_fault()
    {
        using var f = new MsgFixture();
        var owner = f.Proc(1001, 1001);
        var id = f.Get(owner, 7, CREAT | Oct(644));
        var reader = f.Proc(1002, 1002);
        var body = new byte[16];

        // A bad id beats everything else.
        Assert.Equal(Errno.EINVAL, f.Kernel.Syscalls.MsgSnd(owner, id + 1, 0, body, 99999, NOWAIT));
        // No write permission beats the size and type problems.
        Assert.Equal(Errno.EACCES, f.Kernel.Syscalls.MsgSnd(reader, id, 0, body, 99999, NOWAIT));
        // msgsz > qbytes beats the type; a wrapped negative size is just huge.
        Assert.Equal(Errno.EINVAL, f.Kernel.Syscalls.MsgSnd(owner, id, 0, body, 2049, NOWAIT));
        Assert.Equal(Errno.EINVAL, f.Kernel.Syscalls.MsgSnd(owner, id, 1, body, unchecked((ulong)-1L), NOWAIT));
        // A full queue (EAGAIN) beats mtype < 1 and EFAULT.
        Assert.Equal(Errno.OK, f.Kernel.Syscalls.MsgSnd(owner, id, 1, new byte[2000], 2000, NOWAIT));
        Assert.Equal(Errno.EAGAIN, f.Kernel.Syscalls.MsgSnd(owner, id, 0, body, 100, NOWAIT));
        Assert.Equal(Errno.EWOULDSLEEP, f.Kernel.Syscalls.MsgSnd(owner, id, 0, body, 100, 0, WaitPolicy.ReportWouldSleep));
        // With room: mtype < 1 is EINVAL before the copy-in faults.
        Assert.Equal(Errno.EINVAL, f.Kernel.Syscalls.MsgSnd(owner, id, 0, body, 40, NOWAIT));
        Assert.Equal(Errno.EINVAL, f.Kernel.Syscalls.MsgSnd(owner, id, long.MinValue, body, 40, NOWAIT));
        Assert.Equal(Errno.EFAULT, f.Kernel.Syscalls.MsgSnd(owner, id, 1, body, 17, NOWAIT));
        // None of the failures queued anything.
        var ds = f.Stat(owner, id);
        Assert.Equal((1UL, 2000UL), (ds.Qnum, ds.Cbytes));
    }

    [Fact]
    public void Message_text_is_the_first_msgsz_bytes_of_the_buffer()
    {
        using var f = new MsgFixture();
        var id = f.Get(f.Root, 7, CREAT | Oct(600));
        Assert.Equal(Errno.OK, f.Kernel.Syscalls.MsgSnd(f.Root, id, 3, "abcdef"u8, 4, NOWAIT));
        Assert.Equal(Errno.OK, f.Kernel.Syscalls.MsgSnd(f.Root, id, 3, "abcdef"u8, 0, NOWAIT));
        Assert.Equal("abcd", f.ReceiveText(f.Root, id, 0));
        Assert.Equal("", f.ReceiveText(f.Root, id, 0));
    }

    [Fact]
    public void Would_sleep_report_changes_nothing()
    {
        using var f = new MsgFixture();
        var id = f.Get(f.Root, 7, CREAT | Oct(600));
        Assert.Equal(Errno.OK, f.Send(f.Root, id, 1, new byte[2048]));
        var before = f.Stat(f.Root, id);
        f.Clock.Now = f.Clock.Now.AddSeconds(10);
        Assert.Equal(Errno.EWOULDSLEEP, f.Send(f.Root, id, 1, "x", 0, WaitPolicy.ReportWouldSleep));
        Assert.Equal(before, f.Stat(f.Root, id));
        Assert.Equal((0, 0), f.Queues.Sleepers(id));
    }

    [Fact]
    public void Msgmax_is_not_checked_only_qbytes_is()
    {
        using var f = new MsgFixture();
        Assert.Equal(Errno.OK, f.SetSysctl("kern.ipc.msgmax", 10));
        var id = f.Get(f.Root, 7, CREAT | Oct(600));
        Assert.Equal(Errno.OK, f.Send(f.Root, id, 1, new byte[2048]));
    }

    [Fact]
    public void There_is_no_per_queue_message_count_cap_only_the_system_wide_msgtql()
    {
        using var f = new MsgFixture();
        Assert.Equal(Errno.OK, f.SetSysctl("kern.ipc.msgtql", 5000));
        var id = f.Get(f.Root, 7, CREAT | Oct(600));
        for (var i = 0; i < 3000; i++)
            Assert.Equal(Errno.OK, f.Send(f.Root, id, 1, []));
        Assert.Equal(3000UL, f.Stat(f.Root, id).Qnum);
    }

    [Fact]
    public void Exhausted_msgtql_across_queues_is_EAGAIN()
    {
        using var f = new MsgFixture();
        Assert.Equal(Errno.OK, f.SetSysctl("kern.ipc.msgtql", 3));
        var a = f.Get(f.Root, 1, CREAT | Oct(600));
        var b = f.Get(f.Root, 2, CREAT | Oct(600));
        Assert.Equal(Errno.OK, f.Send(f.Root, a, 1, "1"));
        Assert.Equal(Errno.OK, f.Send(f.Root, a, 1, "2"));
        Assert.Equal(Errno.OK, f.Send(f.Root, b, 1, "3"));
        Assert.Equal(Errno.EAGAIN, f.Send(f.Root, b, 1, "4"));
        Assert.Equal(Errno.EWOULDSLEEP, f.Send(f.Root, b, 1, "4", 0, WaitPolicy.ReportWouldSleep));
        Assert.Equal("1", f.ReceiveText(f.Root, a, 0));
        Assert.Equal(Errno.OK, f.Send(f.Root, b, 1, "4"));
    }

    [Fact]
    public void Exhausted_segments_are_EAGAIN_and_each_message_is_charged_whole_segments()
    {
        using var f = new MsgFixture();
        Assert.Equal(Errno.OK, f.SetSysctl("kern.ipc.msgseg", 4));
        var id = f.Get(f.Root, 7, CREAT | Oct(600));
        Assert.Equal(Errno.OK, f.Send(f.Root, id, 1, new byte[9]));  // 2 segments of 8
        Assert.Equal(Errno.OK, f.Send(f.Root, id, 1, new byte[1]));  // 1
        Assert.Equal((3, 2), f.Queues.Usage());
        Assert.Equal(Errno.EAGAIN, f.Send(f.Root, id, 1, new byte[9]));
        Assert.Equal(Errno.OK, f.Send(f.Root, id, 1, new byte[8]));
        Assert.Equal(Errno.OK, f.Send(f.Root, id, 1, []));           // no segment at all
        Assert.Equal(Errno.OK, f.Rmid(f.Root, id));
        Assert.Equal((0, 0), f.Queues.Usage());
    }

    [Fact]
    public void Send_records_lspid_and_stime()
    {
        using var f = new MsgFixture();
        var p = f.Proc(0, 0);
        var id = f.Get(f.Root, 7, CREAT | Oct(600));
        f.Clock.Now = f.Clock.Now.AddSeconds(5);
        Assert.Equal(Errno.OK, f.Send(p, id, 1, "x"));
        var ds = f.Stat(f.Root, id);
        Assert.Equal(p.Pid, ds.Lspid);
        Assert.Equal(1_700_000_005, ds.Stime);
        Assert.Equal((0, 0L), (ds.Lrpid, ds.Rtime));
    }
}
