using Prison.Core;
using Prison.Core.Ipc;
using Prison.Core.Jails;
using Prison.Plugins.SysvSem;
using static Prison.Core.Ipc.IpcConstants;
using static Prison.SysvSem.Tests.SemTestKernel;

namespace Prison.SysvSem.Tests;

/// <summary>Loading, unloading and the limit sysctls.</summary>
public sealed class ModuleTests : IDisposable
{
    private readonly SemTestKernel _t = new();

    public void Dispose() => _t.Dispose();

    [Fact]
    public void Unload_is_EBUSY_while_a_set_exists_and_then_the_calls_are_ENOSYS()
    {
        var id = _t.NewSet(_t.Host);
        Assert.Equal(Errno.EBUSY, _t.K.Modules.Unload(_t.Host.Cred, "sysvsem").Error);
        Assert.Equal(0, _t.Val(id));
        _t.Ctl(_t.Host, id, 0, IPC_RMID);
        Assert.True(_t.K.Modules.Unload(_t.Host.Cred, "sysvsem").Ok);
        Assert.Equal(Errno.ENOSYS, _t.K.Syscalls.SemGet(_t.Host, IPC_PRIVATE, 1, 0x180).Error);
        Assert.Equal(Errno.ENOENT, _t.K.Sysctl.Read(_t.Host.Cred, "kern.ipc.semmni").Error);
        Assert.Null(_t.K.Jails.Parameters.Find("sysvsem"));
    }

    [Fact]
    public void Forced_unload_is_EBUSY_while_a_set_exists_even_with_a_sleeper()
    {
        // FreeBSD: kldunload -f skips MOD_QUIESCE only; semunload() returns EBUSY while semtot != 0.
        var id = _t.NewSet(_t.Host);
        var task = _t.OpInBackground(_t.Spawn(0, 0), id, B(0, -1));
        Assert.True(Eventually(() => _t.Ncnt(id) == 1));
        Assert.Equal(Errno.EBUSY, _t.K.Modules.Unload(_t.Host.Cred, "sysvsem", force: true).Error);
        // Nothing changed: the sleeper still sleeps, and the syscalls still answer.
        Assert.Equal(1, _t.Ncnt(id));
        Assert.False(task.IsCompleted);
        _t.Ctl(_t.Host, id, 0, IPC_RMID);
        Assert.Equal(Errno.EIDRM, Finish(task));
        Assert.True(_t.K.Modules.Unload(_t.Host.Cred, "sysvsem", force: true).Ok);
    }

    [Fact]
    public void Kernel_shutdown_wakes_sleepers_with_EIDRM()
    {
        var t = new SemTestKernel();
        var id = t.NewSet(t.Host);
        var task = t.OpInBackground(t.Spawn(0, 0), id, B(0, -1));
        Assert.True(Eventually(() => t.Ncnt(id) == 1));
        t.Dispose();
        Assert.Equal(Errno.EIDRM, Finish(task));
    }

    [Fact]
    public void Loading_with_jails_alive_follows_allow_sysvipc()
    {
        using var k = new Kernel();
        var legacy = k.Syscalls.JailSet(k.Init, new JailParams { ["name"] = "legacy", ["persist"] = null, ["allow.sysvipc"] = "true" }, JailFlags.Create);
        var plain = k.Syscalls.JailSet(k.Init, new JailParams { ["name"] = "plain", ["persist"] = null }, JailFlags.Create);
        Assert.True(legacy.Ok && plain.Ok, $"{legacy} {plain}");
        Assert.True(k.Modules.LoadInstance(new SysvSemModule()).Ok);
        var host = k.Processes.Spawn(Prison.Core.Procs.Ucred.Root(k.Prison0), "sh").Value;
        var hostSet = k.Syscalls.SemGet(host, IPC_PRIVATE, 1, 0x180).Value;
        var inLegacy = k.Processes.Spawn(Prison.Core.Procs.Ucred.Root(k.Jails.Find(legacy.Value)!), "sh").Value;
        var inPlain = k.Processes.Spawn(Prison.Core.Procs.Ucred.Root(k.Jails.Find(plain.Value)!), "sh").Value;
        Assert.Equal(0, k.Syscalls.SemCtl(inLegacy, hostSet, 0, GETVAL).Value);
        Assert.Equal(Errno.ENOSYS, k.Syscalls.SemCtl(inPlain, hostSet, 0, GETVAL).Error);
        Assert.Equal(Errno.OK, k.Syscalls.SemCtl(host, hostSet, 0, IPC_RMID).Error);
    }

    [Theory]
    [InlineData("semmni", 50)]
    [InlineData("semmns", 340)]
    [InlineData("semmnu", 150)]
    [InlineData("semmsl", 340)]
    [InlineData("semopm", 100)]
    [InlineData("semume", 50)]
    [InlineData("semvmx", 32767)]
    [InlineData("semaem", 16384)]
    public void Limits_have_FreeBSDs_defaults(string name, long value) =>
        Assert.Equal(value, (long)_t.K.Sysctl.Read(_t.Host.Cred, "kern.ipc." + name).Value);

    [Theory]
    [InlineData("semmni", "0")]
    [InlineData("semmni", "65537")]
    [InlineData("semmns", "-1")]
    [InlineData("semmsl", "0")]
    [InlineData("semopm", "0")]
    [InlineData("semume", "0")]
    [InlineData("semvmx", "65536")]
    [InlineData("semvmx", "0")]
    [InlineData("semaem", "-1")]
    [InlineData("semaem", "32768")]
    [InlineData("semmnu", "many")]
    public void A_bad_limit_is_EINVAL_and_changes_nothing(string name, string value)
    {
        var before = _t.K.Sysctl.Read(_t.Host.Cred, "kern.ipc." + name).Value;
        Assert.Equal(Errno.EINVAL, _t.K.Sysctl.Write(_t.Host.Cred, "kern.ipc." + name, value));
        Assert.Equal(before, _t.K.Sysctl.Read(_t.Host.Cred, "kern.ipc." + name).Value);
    }

    [Fact]
    public void Only_host_root_writes_limits_and_new_values_apply_to_later_calls()
    {
        var jailRoot = _t.RootIn(_t.Jail("j"));
        Assert.Equal(Errno.EPERM, _t.K.Sysctl.Write(jailRoot.Cred, "kern.ipc.semmsl", "2"));
        Assert.Equal(Errno.EPERM, _t.K.Sysctl.Write(_t.Spawn(1001, 1001).Cred, "kern.ipc.semmsl", "2"));
        var big = _t.NewSet(_t.Host, 5);
        Assert.Equal(Errno.OK, _t.K.Sysctl.Write(_t.Host.Cred, "kern.ipc.semmsl", "2"));
        Assert.Equal(Errno.EINVAL, _t.K.Syscalls.SemGet(_t.Host, IPC_PRIVATE, 3, 0x180).Error);
        var stat = new SemUn();
        _t.Ctl(_t.Host, big, 0, IPC_STAT, stat);
        Assert.Equal(5, stat.Buf.Nsems);
        Assert.Equal(Errno.OK, _t.Op(_t.Host, big, B(4, 1)));
    }

    [Fact]
    public void Boot_tunables_from_the_kenv_set_the_limits()
    {
        using var k = new Kernel();
        k.Kenv.Set("kern.ipc.semmni", "7");
        k.Kenv.Set("kern.ipc.semvmx", "999999");
        Assert.True(k.Modules.LoadInstance(new SysvSemModule()).Ok);
        Assert.Equal(7L, k.Sysctl.Read(k.Init.Cred, "kern.ipc.semmni").Value);
        Assert.Equal(32767L, k.Sysctl.Read(k.Init.Cred, "kern.ipc.semvmx").Value);
    }
}
