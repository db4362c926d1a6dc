using Prison.Core;
using Prison.Core.Ipc;
using static Prison.SysvMsg.Tests.MsgFixture;

namespace Prison.SysvMsg.Tests;

public class MsgGetTests
{
    [Fact]
    public void First_id_in_a_fresh_kernel_is_65536_and_private_keys_always_create()
    {
        using var f = new MsgFixture();
        var a = f.Get(f.Root, IpcConstants.IPC_PRIVATE, Oct(600));
        var b = f.Get(f.Root, IpcConstants.IPC_PRIVATE, Oct(600));
        Assert.Equal(65536, a);
        Assert.Equal(65537, b);
    }

    [Fact]
    public void New_queue_takes_owner_mode_qbytes_and_ctime_from_the_caller_and_the_limits()
    {
        using var f = new MsgFixture();
        var user = f.Proc(1001, 2002);
        var id = f.Get(user, 42, CREAT | Oct(640) | 0x10000);
        var ds = f.Stat(user, id);
        Assert.Equal(new IpcPerm(1001, 2002, 1001, 2002, Oct(640), 1, 42), ds.Perm);
        Assert.Equal(2048UL, ds.Qbytes);
        Assert.Equal(0UL, ds.Qnum);
        Assert.Equal(0UL, ds.Cbytes);
        Assert.Equal(1_700_000_000, ds.Ctime);
        Assert.Equal((0, 0, 0L, 0L), (ds.Lspid, ds.Lrpid, ds.Stime, ds.Rtime));
    }

    [Fact]
    public void Existing_key_returns_the_same_id_and_missing_key_without_create_is_ENOENT()
    {
        using var f = new MsgFixture();
        Assert.Equal(Errno.ENOENT, f.Kernel.Syscalls.MsgGet(f.Root, 7, Oct(600)).Error);
        var id = f.Get(f.Root, 7, CREAT | Oct(600));
        Assert.Equal(id, f.Get(f.Root, 7, 0));
        Assert.Equal(id, f.Get(f.Root, 7, CREAT));
    }

    [Fact]
    public void Create_exclusive_on_an_existing_key_is_EEXIST_before_the_permission_check()
    {
        using var f = new MsgFixture();
        f.Get(f.Root, 7, CREAT | Oct(600));
        var stranger = f.Proc(1001, 1001);
        Assert.Equal(Errno.EEXIST, f.Kernel.Syscalls.MsgGet(stranger, 7, CREAT | EXCL | Oct(600)).Error);
        Assert.Equal(Errno.EACCES, f.Kernel.Syscalls.MsgGet(stranger, 7, Oct(400)).Error);
    }

    [Fact]
    public void Requested_mode_is_checked_against_an_existing_key()
    {
        using var f = new MsgFixture();
        var owner = f.Proc(1001, 100);
        var id = f.Get(owner, 7, CREAT | Oct(640));
        var member = f.Proc(1002, 100);
        var other = f.Proc(1003, 300);
        Assert.Equal(id, f.Get(member, 7, Oct(400)));
        Assert.Equal(Errno.EACCES, f.Kernel.Syscalls.MsgGet(member, 7, Oct(200)).Error);
        Assert.Equal(Errno.EACCES, f.Kernel.Syscalls.MsgGet(other, 7, Oct(400)).Error);
        Assert.Equal(id, f.Get(other, 7, 0));
        // Only Oct(700) of msgflg is asked for: the group and other bits of the request are ignored.
        Assert.Equal(id, f.Get(other, 7, Oct(77)));
        // Root passes with privilege.
        Assert.Equal(id, f.Get(f.Root, 7, Oct(600)));
    }

    [Fact]
    public void More_queues_than_msgmni_is_ENOSPC_and_a_new_msgmni_applies_at_once()
    {
        using var f = new MsgFixture();
        for (var i = 0; i < 40; i++)
            f.Get(f.Root, IpcConstants.IPC_PRIVATE, Oct(600));
        Assert.Equal(Errno.ENOSPC, f.Kernel.Syscalls.MsgGet(f.Root, IpcConstants.IPC_PRIVATE, Oct(600)).Error);
        Assert.Equal(Errno.ENOSPC, f.Kernel.Syscalls.MsgGet(f.Root, 99, CREAT | Oct(600)).Error);
        Assert.Equal(Errno.OK, f.SetSysctl("kern.ipc.msgmni", 41));
        f.Get(f.Root, 99, CREAT | Oct(600));
    }

    [Fact]
    public void Disabled_jail_gets_ENOSYS_for_every_call()
    {
        using var f = new MsgFixture();
        var hostId = f.Get(f.Root, 5, CREAT | Oct(666));
        var jail = f.Jail("off", sysvmsg: null);
        var p = f.RootIn(jail);
        Assert.Equal(Errno.ENOSYS, f.Kernel.Syscalls.MsgGet(p, 5, CREAT | Oct(600)).Error);
        Assert.Equal(Errno.ENOSYS, f.Send(p, hostId, 1, "x"));
        Assert.Equal(Errno.ENOSYS, f.Receive(p, hostId, 0).Error);
        var ds = default(MsqidDs);
        Assert.Equal(Errno.ENOSYS, f.Kernel.Syscalls.MsgCtl(p, hostId, IpcConstants.IPC_STAT, ref ds).Error);
        Assert.Empty(f.Msqids(p));
    }

    [Fact]
    public void Reused_slot_gets_a_new_sequence_so_the_stale_id_is_EINVAL()
    {
        using var f = new MsgFixture();
        var first = f.Get(f.Root, 7, CREAT | Oct(600));
        Assert.Equal(Errno.OK, f.Rmid(f.Root, first));
        var second = f.Get(f.Root, 7, CREAT | Oct(600));
        Assert.Equal(first & 0xffff, second & 0xffff);
        Assert.NotEqual(first, second);
        Assert.Equal(Errno.EINVAL, f.Send(f.Root, first, 1, "x"));
        Assert.Equal(Errno.EINVAL, f.Rmid(f.Root, first));
    }
}
