using Prison.Core;
using Prison.Core.Ipc;
using static Prison.SysvMsg.Tests.MsgFixture;

namespace Prison.SysvMsg.Tests;

public class MsgCtlTests
{
    private static Errno Set(MsgFixture f, Prison.Core.Procs.Proc p, int id, uint uid, uint gid, int mode, ulong qbytes)
    {
        var ds = new MsqidDs { Perm = new IpcPerm(0, 0, uid, gid, mode, 0, 0), Qbytes = qbytes };
        return f.Kernel.Syscalls.MsgCtl(p, id, IpcConstants.IPC_SET, ref ds).Error;
    }

    [Fact]
    public void Bad_id_is_EINVAL_before_a_bad_command_which_is_EINVAL_too()
    {
        using var f = new MsgFixture();
        var ds = default(MsqidDs);
        Assert.Equal(Errno.EINVAL, f.Kernel.Syscalls.MsgCtl(f.Root, 65536, IpcConstants.IPC_STAT, ref ds).Error);
        Assert.Equal(Errno.EINVAL, f.Kernel.Syscalls.MsgCtl(f.Root, -1, IpcConstants.IPC_RMID, ref ds).Error);
        var id = f.Get(f.Root, 7, CREAT | Oct(600));
        Assert.Equal(Errno.EINVAL, f.Kernel.Syscalls.MsgCtl(f.Root, id, 99, ref ds).Error);
        Assert.Equal(Errno.EINVAL, f.Kernel.Syscalls.MsgCtl(f.Root, id, IpcConstants.IPC_INFO, ref ds).Error);
    }

    [Fact]
    public void Stat_needs_read_permission()
    {
        using var f = new MsgFixture();
        var owner = f.Proc(1001, 1001);
        var id = f.Get(owner, 7, CREAT | Oct(200));
        var ds = default(MsqidDs);
        Assert.Equal(Errno.EACCES, f.Kernel.Syscalls.MsgCtl(owner, id, IpcConstants.IPC_STAT, ref ds).Error);
        Assert.Equal(Errno.EACCES, f.Kernel.Syscalls.MsgCtl(f.Proc(1002, 1002), id, IpcConstants.IPC_STAT, ref ds).Error);
        Assert.Equal(Oct(200), f.Stat(f.Root, id).Perm.Mode);
    }

    [Fact]
    public void Rmid_and_set_need_owner_creator_or_privilege_else_EACCES()
    {
        using var f = new MsgFixture();
        var creator = f.Proc(1001, 1001);
        var id = f.Get(creator, 7, CREAT | Oct(666));
        var stranger = f.Proc(1002, 1001);
        Assert.Equal(Errno.EACCES, f.Rmid(stranger, id));
        Assert.Equal(Errno.EACCES, Set(f, stranger, id, 1002, 1001, Oct(666), 2048));
        // Giving the queue away keeps the creator's admin rights (cuid) and grants the new owner's.
        Assert.Equal(Errno.OK, Set(f, creator, id, 1002, 1001, Oct(640), 2048));
        Assert.Equal(Errno.OK, Set(f, stranger, id, 1002, 1001, Oct(600), 2048));
        Assert.Equal(Errno.OK, Set(f, creator, id, 1001, 1001, Oct(600), 2048));
        Assert.Equal(Errno.OK, f.Rmid(f.Root, id));
    }

    [Fact]
    public void Set_changes_uid_gid_permission_bits_and_ctime()
    {
        using var f = new MsgFixture();
        var id = f.Get(f.Root, 7, CREAT | Oct(600));
        f.Clock.Now = f.Clock.Now.AddSeconds(3);
        Assert.Equal(Errno.OK, Set(f, f.Root, id, 5, 6, Oct(7777), 1000));
        var ds = f.Stat(f.Root, id);
        Assert.Equal((5u, 6u, 0u, 0u, Oct(777)), (ds.Perm.Uid, ds.Perm.Gid, ds.Perm.Cuid, ds.Perm.Cgid, ds.Perm.Mode));
        Assert.Equal(1000UL, ds.Qbytes);
        Assert.Equal(1_700_000_003, ds.Ctime);
    }

    [Fact]
    public void Qbytes_any_raise_needs_privilege_above_msgmnb_is_clamped_and_zero_is_EINVAL()
    {
        using var f = new MsgFixture();
        var owner = f.Proc(1001, 1001);
        var id = f.Get(owner, 7, CREAT | Oct(600));
        Assert.Equal(Errno.OK, Set(f, owner, id, 1001, 1001, Oct(600), 100));
        // Raising back, even below msgmnb, needs the privilege.
        Assert.Equal(Errno.EPERM, Set(f, owner, id, 1001, 1001, Oct(600), 101));
        // The privilege check comes before the zero check only for raises; 0 itself is EINVAL.
        Assert.Equal(Errno.EINVAL, Set(f, owner, id, 1001, 1001, Oct(600), 0));
        Assert.Equal(Errno.OK, Set(f, f.Root, id, 1001, 1001, Oct(600), 1_000_000));
        Assert.Equal(2048UL, f.Stat(f.Root, id).Qbytes);
        // A failed IPC_SET changed nothing.
        Assert.Equal(Oct(600), f.Stat(f.Root, id).Perm.Mode);
        // Jailed root holds PRIV_IPC_MSGSIZE too.
        var jail = f.Jail("j1");
        var jroot = f.RootIn(jail);
        var jid = f.Get(jroot, 7, CREAT | Oct(600));
        Assert.Equal(Errno.OK, Set(f, jroot, jid, 0, 0, Oct(600), 10));
        Assert.Equal(Errno.OK, Set(f, jroot, jid, 0, 0, Oct(600), 20));
    }

    [Fact]
    public void New_msgmnb_applies_to_later_queues_only()
    {
        using var f = new MsgFixture();
        var old = f.Get(f.Root, 1, CREAT | Oct(600));
        Assert.Equal(Errno.OK, f.SetSysctl("kern.ipc.msgmnb", 100));
        var fresh = f.Get(f.Root, 2, CREAT | Oct(600));
        Assert.Equal(2048UL, f.Stat(f.Root, old).Qbytes);
        Assert.Equal(100UL, f.Stat(f.Root, fresh).Qbytes);
        Assert.Equal(Errno.OK, f.Send(f.Root, old, 1, new byte[500]));
        Assert.Equal(Errno.EINVAL, f.Send(f.Root, fresh, 1, new byte[101]));
    }

    [Fact]
    public void Rmid_frees_the_messages_and_the_id()
    {
        using var f = new MsgFixture();
        var id = f.Get(f.Root, 7, CREAT | Oct(600));
        Assert.Equal(Errno.OK, f.Send(f.Root, id, 1, "x"));
        Assert.Equal(Errno.OK, f.Rmid(f.Root, id));
        Assert.Equal(Errno.EINVAL, f.Rmid(f.Root, id));
        Assert.Equal(Errno.ENOENT, f.Kernel.Syscalls.MsgGet(f.Root, 7, 0).Error);
        Assert.Equal((0, 0), f.Queues.Usage());
    }
}
