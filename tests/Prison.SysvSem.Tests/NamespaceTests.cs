using Prison.Core;
using Prison.Core.Ipc;
using Prison.Core.Jails;
using static Prison.Core.Ipc.IpcConstants;
using static Prison.SysvSem.Tests.SemTestKernel;

namespace Prison.SysvSem.Tests;

/// <summary>Per-jail namespaces: keys per jail, global ids, visibility, the host view, removal with the jail.</summary>
public sealed class NamespaceTests : IDisposable
{
    private readonly SemTestKernel _t = new();

    public void Dispose() => _t.Dispose();

    [Fact]
    public void Same_key_in_two_new_jails_gives_two_sets_that_see_nothing_of_each_other()
    {
        var a = _t.Jail("a");
        var b = _t.Jail("b");
        var pa = _t.RootIn(a);
        var pb = _t.RootIn(b);
        var ida = _t.K.Syscalls.SemGet(pa, 5432001, 1, IPC_CREAT | IPC_EXCL | 0x180).Value;
        var idb = _t.K.Syscalls.SemGet(pb, 5432001, 1, IPC_CREAT | IPC_EXCL | 0x180).Value;
        Assert.NotEqual(ida, idb);
        Assert.Equal(ida, _t.K.Syscalls.SemGet(pa, 5432001, 0, 0).Value);

        // Sibling ids answer as absent, never EACCES.
        Assert.Equal(Errno.EINVAL, _t.CtlError(pb, ida, 0, GETVAL));
        Assert.Equal(Errno.EINVAL, _t.CtlError(pb, ida, 0, IPC_RMID));
        Assert.Equal(Errno.EINVAL, _t.CtlError(pb, ida & 0xffff, 0, SEM_STAT, new SemUn()));
        Assert.Equal(Errno.EINVAL, _t.Op(pb, ida, B(0, 1)));
        Assert.Equal([idb], _t.Sema(pb).Select(s => s.Id));
        Assert.Equal(5432001, _t.Sema(pb)[0].Ds.Perm.Key);

        // The host sees both, keys shown as IPC_PRIVATE, and can remove any of them by id.
        var host = _t.Sema(_t.Host);
        Assert.Equal([(ida, 0, a.Id), (idb, 0, b.Id)], host.Select(s => (s.Id, s.Ds.Perm.Key, s.CreatorJid)));
        var stat = new SemUn();
        _t.Ctl(_t.Host, ida, 0, IPC_STAT, stat);
        Assert.Equal(0, stat.Buf.Perm.Key);
        Assert.Equal(Errno.ENOENT, _t.K.Syscalls.SemGet(_t.Host, 5432001, 0, 0).Error);
        _t.Ctl(_t.Host, ida, 0, IPC_RMID);
        Assert.Equal(Errno.EINVAL, _t.CtlError(pa, ida, 0, GETVAL));
    }

    [Fact]
    public void An_inheriting_child_sees_its_parents_sets_by_id_but_not_by_key()
    {
        var parent = _t.Jail("p", childrenMax: 1);
        var child = _t.Jail("p.c", sysvsem: "inherit");
        var pp = _t.RootIn(parent);
        var pc = _t.RootIn(child);
        var id = _t.K.Syscalls.SemGet(pp, 7, 1, IPC_CREAT | 0x180).Value;
        Assert.Equal(Errno.ENOENT, _t.K.Syscalls.SemGet(pc, 7, 0, 0).Error);
        Assert.Equal(Errno.OK, _t.Op(pc, id, B(0, 1)));
        var own = _t.K.Syscalls.SemGet(pc, 7, 1, IPC_CREAT | 0x180).Value;
        Assert.NotEqual(id, own);
        // Both see both; each sees the key of its own set only.
        Assert.Equal([(id, 0), (own, 7)], _t.Sema(pc).Select(s => (s.Id, s.Ds.Perm.Key)));
        Assert.Equal([(id, 7), (own, 0)], _t.Sema(pp).Select(s => (s.Id, s.Ds.Perm.Key)));
        // The parent's namespace contains the child's set; a sibling of the parent sees none of it.
        var other = _t.RootIn(_t.Jail("other"));
        Assert.Empty(_t.Sema(other));
        Assert.Equal(Errno.EINVAL, _t.CtlError(other, own, 0, GETVAL));
    }

    [Fact]
    public void A_disabled_jail_lists_nothing()
    {
        _t.NewSet(_t.Host);
        var off = _t.RootIn(_t.Jail("off", sysvsem: "disable"));
        Assert.Empty(_t.Sema(off));
        Assert.Single(_t.Sema(_t.Host));
    }

    [Fact]
    public void Removing_a_jail_removes_the_sets_it_created_and_only_those()
    {
        var j = _t.Jail("j");
        var pj = _t.RootIn(j);
        _t.NewSet(pj);
        _t.K.Syscalls.SemGet(pj, 99, 1, IPC_CREAT | 0x180);
        var hostSet = _t.NewSet(_t.Host);
        Assert.Equal(3, _t.Sema(_t.Host).Count);
        _t.RemoveJail(j);
        Assert.Equal([hostSet], _t.Sema(_t.Host).Select(s => s.Id));
        // The semaphores went back to the pool.
        Assert.Equal(Errno.OK, _t.K.Sysctl.Write(_t.Host.Cred, "kern.ipc.semmns", "3"));
        _t.NewSet(_t.Host, 2);
    }

    [Fact]
    public void Disabling_a_jail_removes_its_sets()
    {
        var j = _t.Jail("j");
        var id = _t.NewSet(_t.RootIn(j));
        var r = _t.K.Syscalls.JailSet(_t.K.Init, new JailParams { ["name"] = "j", ["sysvsem"] = "disable" }, JailFlags.Update);
        Assert.True(r.Ok, r.ToString());
        Assert.Equal(Errno.EINVAL, _t.CtlError(_t.Host, id, 0, GETVAL));
    }

    [Fact]
    public void A_set_from_an_inheriting_jail_survives_the_jails_removal_and_keeps_it_dying()
    {
        var j = _t.Jail("inh", sysvsem: "inherit");
        var id = _t.NewSet(_t.RootIn(j));
        _t.RemoveJail(j);
        Assert.Equal(JailState.Dying, j.State);
        Assert.Equal(j.Id, _t.Sema(_t.Host).Single().CreatorJid);
        _t.Ctl(_t.Host, id, 0, IPC_RMID);
        Assert.Equal(JailState.Dead, j.State);
    }
}
