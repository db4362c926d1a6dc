using System.Globalization;
using Prison.Core;
using Prison.Core.Ipc;
using Prison.Core.Jails;
using Prison.Core.Procs;
using Prison.Core.Zfs;
using Prison.Plugins.SysvMsg;
using Prison.Plugins.SysvSem;
using Prison.Plugins.SysvShm;
using Prison.Plugins.ZfsDataset;
using static Prison.Core.Ipc.IpcConstants;

namespace Prison.Reliability.Tests;

/// <summary>
/// Escape attempts of a jailed root that no other suite covers (docs/security.md lists every attempt
/// and the test that proves it): guessing a sibling's IPC ids, raising its own limits, loading
/// modules, descriptors handed over from elsewhere, renaming datasets out of its tree.
/// </summary>
public sealed class SecurityTests : IDisposable
{
    private readonly Kernel _k = new();

    public SecurityTests()
    {
        Assert.True(_k.Modules.LoadInstance(new SysvShmModule()).Ok);
        Assert.True(_k.Modules.LoadInstance(new SysvSemModule()).Ok);
        Assert.True(_k.Modules.LoadInstance(new SysvMsgModule()).Ok);
        Assert.True(_k.Modules.LoadInstance(new ZfsModule()).Ok);
    }

    public void Dispose() => _k.Dispose();

    private Jail NewJail(string name, params (string Name, string? Value)[] extra)
    {
        var p = new JailParams { ["name"] = name, ["persist"] = null };
        foreach (var (n, v) in extra)
            p[n] = v;
        var r = _k.Syscalls.JailSet(_k.Init, p, JailFlags.Create);
        Assert.True(r.Ok, $"jail -c {p}: {r}");
        return _k.Jails.Find(r.Value)!;
    }

    private Proc RootIn(Jail jail) => _k.Processes.Spawn(Ucred.Root(jail), "sh", _k.Init).Value;

    private Proc UserIn(Jail jail, uint uid) => _k.Processes.Spawn(new Ucred(uid, uid, [], jail), "sh", _k.Init).Value;

    private static string Jid(Jail jail) => jail.Id.ToString(CultureInfo.InvariantCulture);

    [Fact]
    public void Guessing_every_id_near_a_siblings_objects_finds_nothing_and_is_always_EINVAL()
    {
        var a = NewJail("a", ("sysvshm", "new"), ("sysvsem", "new"), ("sysvmsg", "new"));
        var b = NewJail("b", ("sysvshm", "new"), ("sysvsem", "new"), ("sysvmsg", "new"));
        var inA = RootIn(a);
        // Mode 0: even the owner's uid would be refused, so any answer but EINVAL would leak existence.
        var shm = _k.Syscalls.ShmGet(inA, 42, 4096, IPC_CREAT).Value;
        var sem = _k.Syscalls.SemGet(inA, 42, 1, IPC_CREAT).Value;
        var msg = _k.Syscalls.MsgGet(inA, 42, IPC_CREAT).Value;
        foreach (var guesser in new[] { RootIn(b), UserIn(b, 0x7fff) })
        {
            for (var seq = 0; seq < 4; seq++)
            {
                for (var index = 0; index < 8; index++)
                {
                    var id = (seq << 16) | index;
                    var shmDs = default(ShmidDs);
                    var msgDs = default(MsqidDs);
                    Assert.Equal(Errno.EINVAL, _k.Syscalls.ShmCtl(guesser, id, IPC_STAT, ref shmDs).Error);
                    Assert.Equal(Errno.EINVAL, _k.Syscalls.ShmAt(guesser, id, 0, 0).Error);
                    Assert.Equal(Errno.EINVAL, _k.Syscalls.ShmCtl(guesser, id, IPC_RMID, ref shmDs).Error);
                    Assert.Equal(Errno.EINVAL, _k.Syscalls.SemCtl(guesser, id, 0, GETVAL).Error);
                    Assert.Equal(Errno.EINVAL, _k.Syscalls.SemOp(guesser, id, [new SemBuf(0, 1, 0)]));
                    Assert.Equal(Errno.EINVAL, _k.Syscalls.SemCtl(guesser, id, 0, IPC_RMID).Error);
                    Assert.Equal(Errno.EINVAL, _k.Syscalls.MsgCtl(guesser, id, IPC_STAT, ref msgDs).Error);
                    Assert.Equal(Errno.EINVAL, _k.Syscalls.MsgSnd(guesser, id, 1, "x"u8, 1, IPC_NOWAIT));
                    Assert.Equal(Errno.EINVAL, _k.Syscalls.MsgCtl(guesser, id, IPC_RMID, ref msgDs).Error);
                }
            }
        }
        var ds = default(ShmidDs);
        var qds = default(MsqidDs);
        Assert.True(_k.Syscalls.ShmCtl(_k.Init, shm, IPC_STAT, ref ds).Ok);
        Assert.True(_k.Syscalls.SemCtl(_k.Init, sem, 0, GETVAL).Ok);
        Assert.True(_k.Syscalls.MsgCtl(_k.Init, msg, IPC_STAT, ref qds).Ok);
    }

    [Theory]
    [InlineData("kern.ipc.shmmax")]
    [InlineData("kern.ipc.shmmni")]
    [InlineData("kern.ipc.shmall")]
    [InlineData("kern.ipc.shm_allow_removed")]
    [InlineData("kern.ipc.semmni")]
    [InlineData("kern.ipc.semmsl")]
    [InlineData("kern.ipc.semopm")]
    [InlineData("kern.ipc.msgmax")]
    [InlineData("kern.ipc.msgmnb")]
    [InlineData("kern.ipc.msgmni")]
    public void Jailed_root_cannot_raise_a_kern_ipc_limit(string name)
    {
        var jail = NewJail("a", ("sysvshm", "new"), ("sysvsem", "new"), ("sysvmsg", "new"));
        var before = _k.Sysctl.Read(_k.Init.Cred, name);
        Assert.True(before.Ok, before.ToString());
        var raised = Convert.ToInt64(before.Value, CultureInfo.InvariantCulture) + 1;
        Assert.Equal(Errno.EPERM, _k.Sysctl.Write(Ucred.Root(jail), name, raised.ToString(CultureInfo.InvariantCulture)));
        Assert.Equal(before.Value, _k.Sysctl.Read(_k.Init.Cred, name).Value);
    }

    [Fact]
    public void Jailed_root_cannot_load_or_unload_modules()
    {
        var jailedRoot = Ucred.Root(NewJail("a"));
        Assert.Equal(Errno.EPERM, _k.Modules.Load(jailedRoot, "sysvshm").Error);
        Assert.Equal(Errno.EPERM, _k.Modules.LoadInstance(new SysvShmModule(), jailedRoot).Error);
        foreach (var name in new[] { "sysvshm", "sysvsem", "sysvmsg", "zfs" })
        {
            Assert.Equal(Errno.EPERM, _k.Modules.Unload(jailedRoot, name, force: true).Error);
            Assert.NotNull(_k.Modules.Find(name));
        }
    }

    [Fact]
    public void Jailed_root_cannot_change_its_own_jails_parameters()
    {
        var a = NewJail("a", ("sysvshm", "disable"));
        var inA = RootIn(a);
        foreach (var (param, value) in new[] { ("allow.mount", "1"), ("children.max", "10"), ("enforce_statfs", "0"), ("sysvshm", "new") })
        {
            var r = _k.Syscalls.JailSet(inA, new JailParams { ["jid"] = Jid(a), [param] = value }, JailFlags.Update);
            Assert.False(r.Ok, $"{param}={value} from inside: {r}");
        }
        Assert.False(a.IsAllowed("allow.mount"));
        Assert.Equal(Errno.ENOSYS, _k.Syscalls.ShmGet(inA, IPC_PRIVATE, 4096, IPC_CREAT | 0x180).Error);
    }

    [Fact]
    public void A_descriptor_handed_to_a_jailed_root_carries_its_creators_rights_not_the_holders()
    {
        var a = NewJail("a");
        var b = NewJail("b");
        var inA = RootIn(a);
        // A jailed root cannot name a sibling to get a descriptor for it.
        Assert.Equal(Errno.ENOENT, _k.Syscalls.JailGet(inA, new JailParams { ["name"] = "b", ["desc"] = "-1" }, JailFlags.GetDesc).Error);

        // An unprivileged host user may get a plain descriptor; handed to a jailed root it still cannot remove or attach.
        var user = UserIn(_k.Prison0, 1001);
        var got = _k.Syscalls.JailGet(user, new JailParams { ["name"] = "b", ["desc"] = "-1" }, JailFlags.GetDesc);
        Assert.True(got.Ok, got.ToString());
        var passed = user.Files.Pass(int.Parse(got.Value["desc"]!, CultureInfo.InvariantCulture), inA.Files).Value;
        Assert.Equal(Errno.EPERM, _k.Syscalls.JailRemoveJd(inA, passed));
        Assert.Equal(Errno.EPERM, _k.Syscalls.JailAttachJd(inA, passed).Error);
        Assert.Equal(JailState.Alive, b.State);
        Assert.Same(a, inA.Jail);
    }

    [Fact]
    public void Jailed_root_cannot_rename_a_dataset_into_a_siblings_tree_or_out_of_its_own()
    {
        var pg = NewJail("pg");
        var web = NewJail("web");
        foreach (var (dataset, jail) in new[] { ("tank/jails/pg1", pg), ("tank/jails/web1", web) })
        {
            Assert.True(_k.Syscalls.ZfsCreate(_k.Init, dataset, parents: true, [new("jailed", "on")]).Ok);
            Assert.True(_k.Syscalls.ZfsJail(_k.Init, jail.Name, dataset).Ok);
        }
        var inPg = RootIn(pg);
        Assert.True(_k.Syscalls.ZfsCreate(inPg, "tank/jails/pg1/data").Ok);
        Assert.Equal(Errno.ENOENT, _k.Syscalls.ZfsRename(inPg, "tank/jails/pg1/data", "tank/jails/web1/data").Error);
        Assert.Equal(Errno.EPERM, _k.Syscalls.ZfsRename(inPg, "tank/jails/pg1/data", "tank/data").Error);
        Assert.Equal(Errno.EPERM, _k.Syscalls.ZfsRename(inPg, "tank/jails/pg1", "tank/jails/web1/pg1").Error);
        // The sibling's dataset cannot be pulled in either.
        Assert.Equal(Errno.ENOENT, _k.Syscalls.ZfsRename(inPg, "tank/jails/web1", "tank/jails/pg1/web1").Error);
        Assert.True(_k.Syscalls.ZfsList(_k.Init, "tank/jails/pg1/data").Ok);
        Assert.True(_k.Syscalls.ZfsList(_k.Init, "tank/jails/web1").Ok);
        Assert.False(_k.Syscalls.ZfsList(_k.Init, "tank/jails/web1/data").Ok);
    }
}
