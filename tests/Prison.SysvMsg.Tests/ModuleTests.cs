using Prison.Core;
using Prison.Core.Ipc;
using Prison.Core.Jails;
using static Prison.SysvMsg.Tests.MsgFixture;

namespace Prison.SysvMsg.Tests;

public class ModuleTests
{
    [Theory]
    [InlineData("kern.ipc.msgmax", 16384)]
    [InlineData("kern.ipc.msgmnb", 2048)]
    [InlineData("kern.ipc.msgmni", 40)]
    [InlineData("kern.ipc.msgtql", 40)]
    [InlineData("kern.ipc.msgssz", 8)]
    [InlineData("kern.ipc.msgseg", 2048)]
    public void Limits_have_FreeBSDs_defaults(string name, long expected)
    {
        using var f = new MsgFixture();
        Assert.Equal(expected, (long)f.Kernel.Sysctl.Read(f.Root.Cred, name).Value);
    }

    [Theory]
    [InlineData("kern.ipc.msgssz", 12)]
    [InlineData("kern.ipc.msgssz", 4)]
    [InlineData("kern.ipc.msgssz", 2048)]
    [InlineData("kern.ipc.msgseg", 32768)]
    [InlineData("kern.ipc.msgseg", 0)]
    [InlineData("kern.ipc.msgmni", 0)]
    [InlineData("kern.ipc.msgmni", 40000)]
    [InlineData("kern.ipc.msgmnb", 0)]
    [InlineData("kern.ipc.msgtql", -1)]
    [InlineData("kern.ipc.msgmax", -5)]
    public void Bad_limit_values_are_EINVAL_and_change_nothing(string name, long value)
    {
        using var f = new MsgFixture();
        var before = f.Kernel.Sysctl.Read(f.Root.Cred, name).Value;
        Assert.Equal(Errno.EINVAL, f.SetSysctl(name, value));
        Assert.Equal(before, f.Kernel.Sysctl.Read(f.Root.Cred, name).Value);
    }

    [Fact]
    public void Only_host_root_may_change_a_limit()
    {
        using var f = new MsgFixture();
        var jroot = f.RootIn(f.Jail("j1"));
        Assert.Equal(Errno.EPERM, f.Kernel.Sysctl.Write(jroot.Cred, "kern.ipc.msgmnb", "100"));
        Assert.Equal(Errno.EPERM, f.Kernel.Sysctl.Write(f.Proc(1001, 1001).Cred, "kern.ipc.msgmnb", "100"));
        Assert.Equal(Errno.OK, f.SetSysctl("kern.ipc.msgssz", 64));
        Assert.Equal(64L, (long)f.Kernel.Sysctl.Read(jroot.Cred, "kern.ipc.msgssz").Value);
    }

    [Fact]
    public void Loader_tunables_in_the_kenv_set_the_limits_at_load()
    {
        using var f = new MsgFixture(k =>
        {
            k.Kenv.Set("kern.ipc.msgseg", "100");
            k.Kenv.Set("kern.ipc.msgssz", "16");
            k.Kenv.Set("kern.ipc.msgmni", "2");
        });
        Assert.Equal(1600L, (long)f.Kernel.Sysctl.Read(f.Root.Cred, "kern.ipc.msgmax").Value);
        f.Get(f.Root, 0, 0);
        f.Get(f.Root, 0, 0);
        Assert.Equal(Errno.ENOSPC, f.Kernel.Syscalls.MsgGet(f.Root, 0, 0).Error);
    }

    [Fact]
    public void A_bad_tunable_fails_the_load_and_leaves_nothing_behind()
    {
        using var k = new Kernel();
        k.Kenv.Set("kern.ipc.msgssz", "7");
        var r = k.Modules.LoadInstance(new Prison.Plugins.SysvMsg.SysvMsgModule());
        Assert.False(r.Ok);
        Assert.Null(k.Sysctl.Find("kern.ipc.msgmni"));
        Assert.Equal(Errno.ENOSYS, k.Syscalls.MsgGet(k.Init, 0, 0).Error);
    }

    [Fact]
    public void Unload_is_EBUSY_while_a_queue_holds_messages_or_exists_at_all()
    {
        using var f = new MsgFixture();
        var id = f.Get(f.Root, 7, CREAT | Oct(600));
        Assert.Equal(Errno.OK, f.Send(f.Root, id, 1, "pending"));
        Assert.Equal(Errno.EBUSY, f.Kernel.Modules.Unload(f.Root.Cred, "sysvmsg").Error);
        Assert.Equal("pending", f.ReceiveText(f.Root, id, 0));
        // FreeBSD's msgunload refuses while any queue is allocated (msg_qbytes != 0), empty or not.
        Assert.Equal(Errno.EBUSY, f.Kernel.Modules.Unload(f.Root.Cred, "sysvmsg").Error);
        // Nothing changed by the refusals.
        Assert.Equal(id, f.Get(f.Root, 7, 0));
        Assert.Equal(Errno.OK, f.Rmid(f.Root, id));
        Assert.True(f.Kernel.Modules.Unload(f.Root.Cred, "sysvmsg").Ok);
        Assert.Equal(Errno.ENOSYS, f.Kernel.Syscalls.MsgGet(f.Root, 7, CREAT).Error);
        Assert.Null(f.Kernel.Sysctl.Find("kern.ipc.msqids"));
        var unknown = f.Kernel.Syscalls.JailSet(f.Root, new JailParams { ["name"] = "j", ["persist"] = null, ["sysvmsg"] = "new" }, JailFlags.Create);
        Assert.Equal(Errno.ENOENT, unknown.Error);
    }

    [Fact]
    public void Unload_even_forced_is_EBUSY_while_a_caller_sleeps_and_changes_nothing()
    {
        // FreeBSD: kldunload -f skips MOD_QUIESCE only; msgunload() returns EBUSY while a queue is in use.
        using var f = new MsgFixture();
        var id = f.Get(f.Root, 7, CREAT | Oct(600));
        var receive = Start(() => f.Receive(f.Proc(0, 0), id, 0, flags: 0));
        f.WaitForSleepers(id, 0, 1);
        Assert.Equal(Errno.EBUSY, f.Kernel.Modules.Unload(f.Root.Cred, "sysvmsg").Error);
        Assert.Equal(Errno.EBUSY, f.Kernel.Modules.Unload(f.Root.Cred, "sysvmsg", force: true).Error);
        Assert.False(receive.IsFinished);
        var queues = f.Queues;
        Assert.Equal(1, queues.QueueCount);
        Assert.Equal(Errno.OK, f.Rmid(f.Root, id));
        Assert.Equal(Errno.EIDRM, receive.Result().Item1);
        Assert.True(f.Kernel.Modules.Unload(f.Root.Cred, "sysvmsg", force: true).Ok);
        Assert.Equal(0, queues.QueueCount);
        Assert.Equal(Errno.ENOSYS, f.Kernel.Syscalls.MsgGet(f.Root, 7, 0).Error);
    }

    [Fact]
    public void A_queue_holds_its_dying_creator_jail_and_a_forced_unload_leaves_it()
    {
        using var f = new MsgFixture();
        var child = f.Jail("c", "inherit");
        f.Get(f.RootIn(child), 7, CREAT | Oct(600));
        Assert.Equal(Errno.OK, f.Kernel.Syscalls.JailRemove(f.Root, child.Id));
        Assert.Equal(JailState.Dying, child.State);
        Assert.Equal(Errno.EBUSY, f.Kernel.Modules.Unload(f.Root.Cred, "sysvmsg", force: true).Error);
        Assert.Equal(JailState.Dying, child.State);
        Assert.Equal(Errno.OK, f.Rmid(f.Root, 65536));
        Assert.Equal(JailState.Dead, child.State);
        Assert.True(f.Kernel.Modules.Unload(f.Root.Cred, "sysvmsg", force: true).Ok);
    }

    [Fact]
    public void Reloading_starts_from_a_fresh_table()
    {
        using var f = new MsgFixture();
        var id = f.Get(f.Root, 7, CREAT | Oct(600));
        Assert.Equal(Errno.OK, f.Rmid(f.Root, id));
        Assert.True(f.Kernel.Modules.Unload(f.Root.Cred, "sysvmsg").Ok);
        Assert.True(f.Kernel.Modules.LoadInstance(new Prison.Plugins.SysvMsg.SysvMsgModule()).Ok);
        Assert.Equal(65536, f.Kernel.Syscalls.MsgGet(f.Root, 7, CREAT | Oct(600)).Value);
        var ds = default(MsqidDs);
        Assert.True(f.Kernel.Syscalls.MsgCtl(f.Root, 65536, IpcConstants.IPC_RMID, ref ds).Ok);
    }
}
