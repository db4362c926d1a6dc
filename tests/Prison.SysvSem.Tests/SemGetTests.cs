using Prison.Core;
using Prison.Core.Ipc;
using static Prison.Core.Ipc.IpcConstants;
using static Prison.SysvSem.Tests.SemTestKernel;

namespace Prison.SysvSem.Tests;

public sealed class SemGetTests : IDisposable
{
    private readonly SemTestKernel _t = new();

    public void Dispose() => _t.Dispose();

    [Fact]
    public void First_id_is_65536_and_a_new_set_is_zeroed_with_the_callers_ids()
    {
        var user = _t.Spawn(1001, 2001);
        var r = _t.K.Syscalls.SemGet(user, 5432001, 3, IPC_CREAT | 0x1a4 /* 0644 */);
        Assert.Equal(65536, r.Value);
        var arg = new SemUn();
        _t.Ctl(user, r.Value, 0, IPC_STAT, arg);
        var ds = arg.Buf;
        Assert.Equal((1001u, 2001u, 1001u, 2001u, 0x1a4, 5432001, 3), (ds.Perm.Uid, ds.Perm.Gid, ds.Perm.Cuid, ds.Perm.Cgid, ds.Perm.Mode, ds.Perm.Key, ds.Nsems));
        Assert.Equal(0, ds.Otime);
        Assert.NotEqual(0, ds.Ctime);
        _t.Ctl(user, r.Value, 0, GETALL, arg);
        Assert.Equal(new ushort[] { 0, 0, 0 }, arg.Array);
    }

    [Fact]
    public void Mode_keeps_only_the_permission_bits()
    {
        var id = _t.K.Syscalls.SemGet(_t.Host, IPC_PRIVATE, 1, IPC_CREAT | IPC_EXCL | 0x1ff).Value;
        var arg = new SemUn();
        _t.Ctl(_t.Host, id, 0, IPC_STAT, arg);
        Assert.Equal(0x1ff, arg.Buf.Perm.Mode);
    }

    [Fact]
    public void Ipc_private_always_creates_and_an_existing_key_returns_the_same_id()
    {
        var a = _t.K.Syscalls.SemGet(_t.Host, IPC_PRIVATE, 1, 0x180).Value;
        var b = _t.K.Syscalls.SemGet(_t.Host, IPC_PRIVATE, 1, 0x180).Value;
        Assert.NotEqual(a, b);
        var k1 = _t.K.Syscalls.SemGet(_t.Host, 77, 2, IPC_CREAT | 0x180).Value;
        Assert.Equal(k1, _t.K.Syscalls.SemGet(_t.Host, 77, 2, IPC_CREAT | 0x180).Value);
        Assert.Equal(k1, _t.K.Syscalls.SemGet(_t.Host, 77, 0, 0).Value);
    }

    [Fact]
    public void Disabled_jail_gets_ENOSYS()
    {
        var j = _t.Jail("off", sysvsem: "disable");
        Assert.Equal(Errno.ENOSYS, _t.K.Syscalls.SemGet(_t.RootIn(j), 1, 1, IPC_CREAT | 0x180).Error);
        var dflt = _t.Jail("default", sysvsem: null);
        Assert.Equal(Errno.ENOSYS, _t.K.Syscalls.SemGet(_t.RootIn(dflt), 1, 1, IPC_CREAT | 0x180).Error);
    }

    [Fact]
    public void Missing_key_without_IPC_CREAT_is_ENOENT()
    {
        Assert.Equal(Errno.ENOENT, _t.K.Syscalls.SemGet(_t.Host, 42, 1, 0x180).Error);
        // ENOENT is decided before nsems is looked at.
        Assert.Equal(Errno.ENOENT, _t.K.Syscalls.SemGet(_t.Host, 42, -5, 0).Error);
    }

    [Fact]
    public void Existing_key_checks_EEXIST_then_EACCES_then_nsems()
    {
        var root = _t.K.Syscalls.SemGet(_t.Host, 9, 2, IPC_CREAT | 0x180 /* 0600 */).Value;
        var user = _t.Spawn(1001, 1001);
        // EEXIST first, even for a caller without access.
        Assert.Equal(Errno.EEXIST, _t.K.Syscalls.SemGet(user, 9, 5, IPC_CREAT | IPC_EXCL | 0x100).Error);
        // Then the requested mode (& 0700) against the set: EACCES before the nsems check.
        Assert.Equal(Errno.EACCES, _t.K.Syscalls.SemGet(user, 9, 5, 0x100).Error);
        Assert.Equal(Errno.EACCES, _t.K.Syscalls.SemGet(user, 9, 0, 0x080).Error);
        // Only the owner bits of the request count: group/other bits ask for nothing.
        Assert.Equal(root, _t.K.Syscalls.SemGet(user, 9, 0, 0x03f).Value);
        // Too many semaphores requested from an existing set: EINVAL; nsems <= 0 just looks up.
        Assert.Equal(Errno.EINVAL, _t.K.Syscalls.SemGet(_t.Host, 9, 3, 0x180).Error);
        Assert.Equal(root, _t.K.Syscalls.SemGet(_t.Host, 9, 2, 0x180).Value);
        Assert.Equal(root, _t.K.Syscalls.SemGet(_t.Host, 9, -1, 0x180).Value);
        Assert.Equal(root, _t.K.Syscalls.SemGet(user, 9, -1, 0).Value);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(341)]
    public void Creating_with_nsems_outside_1_to_semmsl_is_EINVAL(int nsems)
    {
        Assert.Equal(Errno.EINVAL, _t.K.Syscalls.SemGet(_t.Host, IPC_PRIVATE, nsems, 0x180).Error);
        Assert.Equal(Errno.EINVAL, _t.K.Syscalls.SemGet(_t.Host, 5, nsems, IPC_CREAT | 0x180).Error);
        Assert.Empty(_t.Sema(_t.Host));
    }

    [Fact]
    public void Semmns_exhausted_is_ENOSPC_before_semmni()
    {
        Assert.Equal(Errno.OK, _t.K.Sysctl.Write(_t.Host.Cred, "kern.ipc.semmns", "5"));
        Assert.Equal(Errno.OK, _t.K.Sysctl.Write(_t.Host.Cred, "kern.ipc.semmni", "1"));
        _t.NewSet(_t.Host, 3);
        Assert.Equal(Errno.ENOSPC, _t.K.Syscalls.SemGet(_t.Host, IPC_PRIVATE, 3, 0x180).Error);
        // Two semaphores remain, but no identifier.
        Assert.Equal(Errno.ENOSPC, _t.K.Syscalls.SemGet(_t.Host, IPC_PRIVATE, 2, 0x180).Error);
        Assert.Equal(Errno.OK, _t.K.Sysctl.Write(_t.Host.Cred, "kern.ipc.semmni", "2"));
        _t.NewSet(_t.Host, 2);
    }

    [Fact]
    public void Removed_slot_is_reused_with_a_new_sequence()
    {
        var a = _t.NewSet(_t.Host);
        _t.Ctl(_t.Host, a, 0, IPC_RMID);
        var b = _t.NewSet(_t.Host);
        Assert.Equal(a & 0xffff, b & 0xffff);
        Assert.NotEqual(a, b);
        Assert.Equal(Errno.EINVAL, _t.CtlError(_t.Host, a, 0, GETVAL));
    }
}
