using Prison.Core;
using Prison.Core.Ipc;
using Prison.Core.Jails;
using static Prison.SysvMsg.Tests.MsgFixture;

namespace Prison.SysvMsg.Tests;

public class JailNamespaceTests
{
    private const int Key = 5432001;

    [Fact]
    public void Same_key_in_two_jails_with_their_own_namespace_names_two_queues()
    {
        using var f = new MsgFixture();
        var p1 = f.RootIn(f.Jail("j1"));
        var p2 = f.RootIn(f.Jail("j2"));
        var q1 = f.Get(p1, Key, CREAT | EXCL | Oct(600));
        var q2 = f.Get(p2, Key, CREAT | EXCL | Oct(600));
        Assert.NotEqual(q1, q2);
        Assert.Equal(q1, f.Get(p1, Key, 0));
        Assert.Equal(q2, f.Get(p2, Key, 0));
        Assert.Equal(Errno.OK, f.Send(p1, q1, 1, "for j1"));
        Assert.Equal(Errno.ENOMSG, f.Receive(p2, q2, 0).Error);
        Assert.Equal("for j1", f.ReceiveText(p1, q1, 0));
    }

    [Fact]
    public void A_sibling_sees_nothing_and_invisible_ids_are_EINVAL_never_EACCES()
    {
        using var f = new MsgFixture();
        var p1 = f.RootIn(f.Jail("j1"));
        var p2 = f.RootIn(f.Jail("j2"));
        var user2 = f.Proc(1001, 1001, f.Kernel.Jails.FindVisible(f.Kernel.Prison0, "j2")!);
        var q1 = f.Get(p1, Key, CREAT | Oct(600));
        var ds = default(MsqidDs);
        foreach (var p in new[] { p2, user2 })
        {
            Assert.Equal(Errno.ENOENT, f.Kernel.Syscalls.MsgGet(p, Key, 0).Error);
            Assert.Equal(Errno.EINVAL, f.Send(p, q1, 1, "x"));
            Assert.Equal(Errno.EINVAL, f.Receive(p, q1, 0).Error);
            Assert.Equal(Errno.EINVAL, f.Kernel.Syscalls.MsgCtl(p, q1, IpcConstants.IPC_STAT, ref ds).Error);
            Assert.Equal(Errno.EINVAL, f.Rmid(p, q1));
            Assert.Empty(f.Msqids(p));
        }
        Assert.Single(f.Msqids(p1));
    }

    [Fact]
    public void The_host_sees_every_queue_with_key_0_for_other_jails_and_can_remove_them_by_id()
    {
        using var f = new MsgFixture();
        var j1 = f.Jail("j1");
        var j2 = f.Jail("j2");
        var q1 = f.Get(f.RootIn(j1), Key, CREAT | Oct(600));
        var q2 = f.Get(f.RootIn(j2), Key, CREAT | Oct(600));
        var qh = f.Get(f.Root, Key, CREAT | Oct(600));
        Assert.NotEqual(q1, qh);

        var list = f.Msqids(f.Root);
        Assert.Equal(new[] { (q1, 0, j1.Id), (q2, 0, j2.Id), (qh, Key, 0) },
            list.Select(i => (i.Id, i.Ds.Perm.Key, i.CreatorJid)).ToArray());
        Assert.Equal(0, f.Stat(f.Root, q1).Perm.Key);
        Assert.Equal(Key, f.Stat(f.RootIn(j1), q1).Perm.Key);
        Assert.Equal(Key, f.Msqids(f.RootIn(j1)).Single().Ds.Perm.Key);

        Assert.Equal(Errno.OK, f.Rmid(f.Root, q2));
        Assert.Equal(Errno.ENOENT, f.Kernel.Syscalls.MsgGet(f.RootIn(j2), Key, 0).Error);
    }

    [Fact]
    public void An_inheriting_child_sees_the_parents_queues_by_id_but_never_by_key()
    {
        using var f = new MsgFixture();
        var parent = f.Jail("p", childrenMax: 1);
        var child = f.Jail("p.c", "inherit");
        var pp = f.RootIn(parent);
        var pc = f.RootIn(child);
        var q = f.Get(pp, Key, CREAT | Oct(600));
        Assert.Equal(Errno.ENOENT, f.Kernel.Syscalls.MsgGet(pc, Key, 0).Error);
        Assert.Equal(Errno.OK, f.Send(pc, q, 1, "from child"));
        Assert.Equal("from child", f.ReceiveText(pp, q, 0));
        Assert.Equal(0, f.Msqids(pc).Single().Ds.Perm.Key);
        // The child's own queue with the same key is a different queue, visible to the parent.
        var qc = f.Get(pc, Key, CREAT | EXCL | Oct(600));
        Assert.NotEqual(q, qc);
        Assert.Equal(2, f.Msqids(pp).Count);
    }

    [Fact]
    public void Removing_a_jail_removes_the_queues_it_created()
    {
        using var f = new MsgFixture();
        var j1 = f.Jail("j1");
        var j2 = f.Jail("j2");
        var q1 = f.Get(f.RootIn(j1), Key, CREAT | Oct(600));
        var q2 = f.Get(f.RootIn(j2), Key, CREAT | Oct(600));
        Assert.Equal(Errno.OK, f.Send(f.RootIn(j1), q1, 1, "lost"));
        Assert.Equal(Errno.OK, f.Kernel.Syscalls.JailRemove(f.Root, j1.Id));
        Assert.Equal(new[] { q2 }, f.Msqids(f.Root).Select(i => i.Id).ToArray());
        Assert.Equal(Errno.EINVAL, f.Rmid(f.Root, q1));
        Assert.Equal((0, 0), f.Queues.Usage());
        // The queue no longer holds the jail: it is gone for good.
        Assert.Equal(JailState.Dead, j1.State);
    }

    [Fact]
    public void Disabling_a_jail_removes_its_queues_and_wakes_its_own_sleepers_with_EIDRM()
    {
        using var f = new MsgFixture();
        var jail = f.Jail("j1");
        var jroot = f.RootIn(jail);
        var id = f.Get(jroot, Key, CREAT | Oct(600));
        var receive = Start(() => f.Receive(jroot, id, 0, flags: 0));
        f.WaitForSleepers(id, 0, 1);
        var set = f.Kernel.Syscalls.JailSet(f.Root, new JailParams { ["name"] = "j1", ["sysvmsg"] = "disable" }, JailFlags.Update);
        Assert.True(set.Ok, set.ToString());
        Assert.Equal(Errno.EIDRM, receive.Result().Item1);
        Assert.Equal(Errno.ENOSYS, f.Kernel.Syscalls.MsgGet(jroot, Key, CREAT | Oct(600)).Error);
        Assert.Empty(f.Msqids(f.Root));
    }

    [Fact]
    public void A_queue_of_an_inheriting_jail_outlives_it_and_holds_it_dying_until_removed()
    {
        using var f = new MsgFixture();
        var child = f.Jail("c", "inherit");
        var q = f.Get(f.RootIn(child), Key, CREAT | Oct(600));
        Assert.Equal(Errno.OK, f.Kernel.Syscalls.JailRemove(f.Root, child.Id));
        Assert.Equal(JailState.Dying, child.State);
        Assert.Equal(child.Id, f.Msqids(f.Root).Single().CreatorJid);
        Assert.Equal(Errno.OK, f.Rmid(f.Root, q));
        Assert.Equal(JailState.Dead, child.State);
    }

    [Fact]
    public void Jails_alive_when_the_module_loads_follow_allow_sysvipc()
    {
        Jail? legacy = null;
        Jail? plain = null;
        using var f = new MsgFixture(k =>
        {
            legacy = Create(k, "legacy", ("allow.sysvipc", "true"));
            plain = Create(k, "plain");
        });
        var hostQueue = f.Get(f.Root, Key, CREAT | Oct(666));
        var pl = f.RootIn(legacy!);
        Assert.Equal(Errno.OK, f.Send(pl, hostQueue, 1, "inherited"));
        Assert.Equal(Errno.ENOSYS, f.Kernel.Syscalls.MsgGet(f.RootIn(plain!), Key, 0).Error);
    }

    private static Jail Create(Kernel k, string name, params (string Name, string Value)[] extra)
    {
        var p = new JailParams { ["name"] = name, ["persist"] = null };
        foreach (var (n, v) in extra)
            p[n] = v;
        var r = k.Syscalls.JailSet(k.Init, p, JailFlags.Create);
        Assert.True(r.Ok, r.ToString());
        return k.Jails.Find(r.Value)!;
    }
}
