using System.Text;
using Prison.Core;
using Prison.Core.Ipc;
using static Prison.SysvMsg.Tests.MsgFixture;

namespace Prison.SysvMsg.Tests;

public class MsgRcvTests
{
    [Fact]
    public void Errors_come_in_FreeBSD_order_id_then_access_then_size()
    {
        using var f = new MsgFixture();
        var owner = f.Proc(1001, 1001);
        var id = f.Get(owner, 7, CREAT | Oct(622));
        var writer = f.Proc(1002, 1002);
        Assert.Equal(Errno.OK, f.Send(writer, id, 1, "hello"));
        var buffer = new byte[16];
        Assert.Equal(Errno.EINVAL, f.Kernel.Syscalls.MsgRcv(owner, id ^ 0x10000, buffer, 1, 0, 0, out _).Error);
        Assert.Equal(Errno.EACCES, f.Kernel.Syscalls.MsgRcv(writer, id, buffer, 1, 0, 0, out _).Error);
        Assert.Equal(Errno.E2BIG, f.Kernel.Syscalls.MsgRcv(owner, id, buffer, 4, 0, 0, out _).Error);
        Assert.Equal(Errno.E2BIG, f.Kernel.Syscalls.MsgRcv(owner, id, buffer, 4, 1, NOWAIT, out _).Error);
        // E2BIG leaves the message in the queue.
        Assert.Equal(1UL, f.Stat(owner, id).Qnum);
        Assert.Equal(Errno.ENOMSG, f.Kernel.Syscalls.MsgRcv(owner, id, buffer, 16, 2, NOWAIT, out _).Error);
        Assert.Equal(Errno.EWOULDSLEEP, f.Kernel.Syscalls.MsgRcv(owner, id, buffer, 16, 2, 0, out _, WaitPolicy.ReportWouldSleep).Error);
        Assert.Equal(1UL, f.Stat(owner, id).Qnum);
    }

    [Fact]
    public void MSG_NOERROR_truncates_and_the_rest_is_discarded()
    {
        using var f = new MsgFixture();
        var id = f.Get(f.Root, 7, CREAT | Oct(600));
        Assert.Equal(Errno.OK, f.Send(f.Root, id, 9, "hello world"));
        var buffer = new byte[5];
        var r = f.Kernel.Syscalls.MsgRcv(f.Root, id, buffer, 5, 0, IpcConstants.MSG_NOERROR, out var type);
        Assert.Equal(5, r.Value);
        Assert.Equal(9, type);
        Assert.Equal("hello", Encoding.ASCII.GetString(buffer));
        Assert.Equal((0UL, 0UL), (f.Stat(f.Root, id).Qnum, f.Stat(f.Root, id).Cbytes));
    }

    [Fact]
    public void Huge_wrapped_msgsz_has_no_sign_check_and_copies_the_message_length()
    {
        using var f = new MsgFixture();
        var id = f.Get(f.Root, 7, CREAT | Oct(600));
        Assert.Equal(Errno.OK, f.Send(f.Root, id, 1, "abc"));
        var buffer = new byte[3];
        var r = f.Kernel.Syscalls.MsgRcv(f.Root, id, buffer, unchecked((ulong)-1L), 0, 0, out _);
        Assert.Equal(3, r.Value);
        Assert.Equal("abc", Encoding.ASCII.GetString(buffer));
    }

    [Fact]
    public void Buffer_shorter_than_the_copy_is_EFAULT_and_the_message_is_gone_as_in_FreeBSD()
    {
        using var f = new MsgFixture();
        var id = f.Get(f.Root, 7, CREAT | Oct(600));
        Assert.Equal(Errno.OK, f.Send(f.Root, id, 1, "abcdef"));
        Assert.Equal(Errno.EFAULT, f.Kernel.Syscalls.MsgRcv(f.Root, id, new byte[2], 100, 0, 0, out _).Error);
        var ds = f.Stat(f.Root, id);
        Assert.Equal((0UL, 0UL), (ds.Qnum, ds.Cbytes));
        Assert.Equal((0, 0), f.Queues.Usage());
    }

    [Fact]
    public void Type_selection_zero_positive_and_negative_takes_the_lowest_type()
    {
        using var f = new MsgFixture();
        var id = f.Get(f.Root, 7, CREAT | Oct(600));
        foreach (var (type, text) in new[] { (5L, "a5"), (3L, "b3"), (7L, "c7"), (3L, "d3"), (2L, "e2"), (9L, "f9") })
            Assert.Equal(Errno.OK, f.Send(f.Root, id, type, text));
        Assert.Equal("a5", f.ReceiveText(f.Root, id, 0));
        Assert.Equal("c7", f.ReceiveText(f.Root, id, 7));
        // Lowest type <= 4 is 2 even though a 3 came first; then the 3s in order.
        Assert.Equal("e2", f.ReceiveText(f.Root, id, -4));
        Assert.Equal("b3", f.ReceiveText(f.Root, id, -4));
        Assert.Equal("d3", f.ReceiveText(f.Root, id, -3));
        Assert.Equal(Errno.ENOMSG, f.Receive(f.Root, id, -8).Error);
        Assert.Equal(Errno.ENOMSG, f.Receive(f.Root, id, 4).Error);
        Assert.Equal("f9", f.ReceiveText(f.Root, id, long.MinValue));
    }

    [Fact]
    public void Bodies_are_binary_safe()
    {
        using var f = new MsgFixture();
        var id = f.Get(f.Root, 7, CREAT | Oct(600));
        var body = Enumerable.Range(0, 256).Select(i => (byte)i).Concat(new byte[] { 0, 0, 0xff, 0xfe, 0 }).ToArray();
        Assert.Equal(Errno.OK, f.Send(f.Root, id, long.MaxValue, body));
        var (error, type, received) = f.Receive(f.Root, id, 0);
        Assert.Equal(Errno.OK, error);
        Assert.Equal(long.MaxValue, type);
        Assert.Equal(body, received);
    }

    [Fact]
    public void Receive_records_lrpid_rtime_and_counts()
    {
        using var f = new MsgFixture();
        var p = f.Proc(0, 0);
        var id = f.Get(f.Root, 7, CREAT | Oct(600));
        Assert.Equal(Errno.OK, f.Send(f.Root, id, 1, "xyz"));
        Assert.Equal(Errno.OK, f.Send(f.Root, id, 1, "ab"));
        Assert.Equal((2UL, 5UL), (f.Stat(f.Root, id).Qnum, f.Stat(f.Root, id).Cbytes));
        f.Clock.Now = f.Clock.Now.AddSeconds(7);
        Assert.Equal("xyz", f.ReceiveText(p, id, 0));
        var ds = f.Stat(f.Root, id);
        Assert.Equal((1UL, 2UL, p.Pid, 1_700_000_007L), (ds.Qnum, ds.Cbytes, ds.Lrpid, ds.Rtime));
    }
}
