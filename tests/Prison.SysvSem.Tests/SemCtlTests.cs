using Prison.Core;
using Prison.Core.Ipc;
using static Prison.Core.Ipc.IpcConstants;
using static Prison.SysvSem.Tests.SemTestKernel;

namespace Prison.SysvSem.Tests;

/// <summary>semctl's commands and errors in FreeBSD's order.</summary>
public sealed class SemCtlTests : IDisposable
{
    private readonly SemTestKernel _t = new();

    public void Dispose() => _t.Dispose();

    [Theory]
    [InlineData(IPC_STAT)]
    [InlineData(IPC_SET)]
    [InlineData(GETALL)]
    [InlineData(SETVAL)]
    [InlineData(SETALL)]
    [InlineData(SEM_STAT)]
    public void A_command_that_needs_its_argument_without_one_is_EFAULT_first(int cmd)
    {
        var off = _t.Jail("off", sysvsem: "disable");
        Assert.Equal(Errno.EFAULT, _t.CtlError(_t.RootIn(off), 0xffff, 0, cmd));
    }

    [Fact]
    public void Disabled_jail_gets_ENOSYS()
    {
        var off = _t.Jail("off", sysvsem: "disable");
        Assert.Equal(Errno.ENOSYS, _t.CtlError(_t.RootIn(off), 0xffff, 0, GETVAL));
    }

    [Fact]
    public void Bad_ids_and_unknown_commands_are_EINVAL()
    {
        var id = _t.NewSet(_t.Host);
        Assert.Equal(Errno.EINVAL, _t.CtlError(_t.Host, 0xffff, 0, GETVAL));
        Assert.Equal(Errno.EINVAL, _t.CtlError(_t.Host, id + 0x10000, 0, GETVAL));
        Assert.Equal(Errno.EINVAL, _t.CtlError(_t.Host, id + 1, 0, IPC_RMID));
        Assert.Equal(Errno.EINVAL, _t.CtlError(_t.Host, id, 0, 99));
        Assert.Equal(Errno.EINVAL, _t.CtlError(_t.Host, id, 0, SEM_INFO));
    }

    [Fact]
    public void IPC_RMID_and_IPC_SET_need_owner_creator_or_privilege()
    {
        var owner = _t.Spawn(1001, 1001);
        var other = _t.Spawn(1002, 1001);
        var id = _t.NewSet(owner, mode: 0x1b6);
        Assert.Equal(Errno.EACCES, _t.CtlError(other, id, 0, IPC_SET, new SemUn { Buf = Ds(1002, 1001, 0x1ff) }));
        Assert.Equal(Errno.EACCES, _t.CtlError(other, id, 0, IPC_RMID));

        // The owner hands the set to uid 1002; the creator keeps admin rights.
        _t.Ctl(owner, id, 0, IPC_SET, new SemUn { Buf = Ds(1002, 3000, 0xfff) });
        var arg = new SemUn();
        _t.Ctl(owner, id, 0, IPC_STAT, arg);
        Assert.Equal((1002u, 3000u, 1001u, 1001u, 0x1ff), (arg.Buf.Perm.Uid, arg.Buf.Perm.Gid, arg.Buf.Perm.Cuid, arg.Buf.Perm.Cgid, arg.Buf.Perm.Mode));
        _t.Ctl(other, id, 0, IPC_SET, new SemUn { Buf = Ds(1002, 3000, 0x180) });
        Assert.Equal(Errno.EACCES, _t.CtlError(_t.Spawn(1003, 1003), id, 0, IPC_STAT, new SemUn()));
        _t.Ctl(owner, id, 0, IPC_RMID);
        Assert.Equal(Errno.EINVAL, _t.CtlError(owner, id, 0, IPC_RMID));
    }

    [Fact]
    public void Root_of_the_jail_administers_the_jails_sets()
    {
        var j = _t.Jail("j");
        var user = _t.Spawn(1001, 1001, j);
        var id = _t.NewSet(user, mode: 0x180);
        _t.Ctl(_t.RootIn(j), id, 0, SETVAL, new SemUn { Val = 3 });
        _t.Ctl(_t.RootIn(j), id, 0, IPC_RMID);
    }

    [Fact]
    public void Get_commands_check_read_before_semnum()
    {
        var id = _t.NewSet(_t.Host, 2, mode: 0x180);
        var user = _t.Spawn(1001, 1001);
        foreach (var cmd in new[] { GETVAL, GETPID, GETNCNT, GETZCNT })
        {
            Assert.Equal(Errno.EACCES, _t.CtlError(user, id, 5, cmd));
            Assert.Equal(Errno.EINVAL, _t.CtlError(_t.Host, id, 2, cmd));
            Assert.Equal(Errno.EINVAL, _t.CtlError(_t.Host, id, -1, cmd));
            Assert.Equal(0, _t.Ctl(_t.Host, id, 1, cmd));
        }
        Assert.Equal(Errno.EACCES, _t.CtlError(user, id, 0, GETALL, new SemUn()));
        Assert.Equal(Errno.EACCES, _t.CtlError(user, id, 0, IPC_STAT, new SemUn()));
    }

    [Fact]
    public void SETVAL_checks_write_then_semnum_then_range()
    {
        var id = _t.NewSet(_t.Host, 2, mode: 0x184 /* 0604 */);
        var user = _t.Spawn(1001, 1001);
        Assert.Equal(Errno.EACCES, _t.CtlError(user, id, 9, SETVAL, new SemUn { Val = -1 }));
        Assert.Equal(Errno.EINVAL, _t.CtlError(_t.Host, id, 2, SETVAL, new SemUn { Val = -1 }));
        Assert.Equal(Errno.ERANGE, _t.CtlError(_t.Host, id, 1, SETVAL, new SemUn { Val = -1 }));
        Assert.Equal(Errno.ERANGE, _t.CtlError(_t.Host, id, 1, SETVAL, new SemUn { Val = 32768 }));
        _t.SetVal(id, 1, 32767);
        Assert.Equal(32767, _t.Val(id, 1));
    }

    [Fact]
    public void SETALL_stores_the_values_before_one_above_semvmx_then_fails_with_ERANGE()
    {
        var id = _t.NewSet(_t.Host, 4);
        Assert.Equal(Errno.ERANGE, _t.CtlError(_t.Host, id, 0, SETALL, new SemUn { Array = [1, 2, 40000, 4] }));
        Assert.Equal(new ushort[] { 1, 2, 0, 0 }, GetAll(id));
        _t.Ctl(_t.Host, id, 0, SETALL, new SemUn { Array = [5, 6, 7, 8] });
        Assert.Equal(new ushort[] { 5, 6, 7, 8 }, GetAll(id));
        Assert.Equal(Errno.EFAULT, _t.CtlError(_t.Host, id, 0, SETALL, new SemUn { Array = [1] }));
        Assert.Equal(Errno.EACCES, _t.CtlError(_t.Spawn(1001, 1001), id, 0, SETALL, new SemUn { Array = [0, 0, 0, 0] }.WithMode(_t, id, 0x1a4)));
    }

    [Fact]
    public void GETPID_is_not_changed_by_SETVAL_or_SETALL()
    {
        var id = _t.NewSet(_t.Host, 2);
        var p = _t.Spawn(0, 0);
        Assert.Equal(Errno.OK, _t.Op(p, id, B(0, 1)));
        _t.SetVal(id, 0, 4);
        _t.Ctl(_t.Host, id, 0, SETALL, new SemUn { Array = [1, 1] });
        Assert.Equal(p.Pid, _t.Ctl(_t.Host, id, 0, GETPID));
        Assert.Equal(0, _t.Ctl(_t.Host, id, 1, GETPID));
    }

    [Fact]
    public void SETVAL_clears_that_semaphores_undo_in_every_process_and_SETALL_clears_all()
    {
        var id = _t.NewSet(_t.Host, 2);
        var a = _t.Spawn(0, 0);
        var b = _t.Spawn(0, 0);
        Assert.Equal(Errno.OK, _t.Op(a, id, B(0, 2, SEM_UNDO), B(1, 2, SEM_UNDO)));
        Assert.Equal(Errno.OK, _t.Op(b, id, B(0, 1, SEM_UNDO)));
        _t.SetVal(id, 0, 10);
        _t.K.Processes.Exit(a);
        _t.K.Processes.Exit(b);
        Assert.Equal(new ushort[] { 10, 0 }, GetAll(id));

        var c = _t.Spawn(0, 0);
        Assert.Equal(Errno.OK, _t.Op(c, id, B(0, 1, SEM_UNDO), B(1, 1, SEM_UNDO)));
        _t.Ctl(_t.Host, id, 0, SETALL, new SemUn { Array = [3, 3] });
        _t.K.Processes.Exit(c);
        Assert.Equal(new ushort[] { 3, 3 }, GetAll(id));
    }

    [Fact]
    public void SEM_STAT_takes_an_index_and_returns_the_id()
    {
        var id = _t.NewSet(_t.Host, 2);
        var arg = new SemUn();
        Assert.Equal(id, _t.Ctl(_t.Host, id & 0xffff, 0, SEM_STAT, arg));
        Assert.Equal(2, arg.Buf.Nsems);
        Assert.Equal(Errno.EINVAL, _t.CtlError(_t.Host, 1, 0, SEM_STAT, arg));
        Assert.Equal(Errno.EINVAL, _t.CtlError(_t.Host, -1, 0, SEM_STAT, arg));
    }

    private static SemidDs Ds(uint uid, uint gid, int mode) => new(new IpcPerm(0, 0, uid, gid, mode, 0, 0), 0, 0, 0);

    private ushort[] GetAll(int id)
    {
        var arg = new SemUn();
        _t.Ctl(_t.Host, id, 0, GETALL, arg);
        return arg.Array!;
    }
}

internal static class SemUnTestExtensions
{
    /// <summary>Sets the set's mode first (as root), then returns the argument unchanged.</summary>
    public static SemUn WithMode(this SemUn arg, SemTestKernel t, int id, int mode)
    {
        var stat = new SemUn();
        t.Ctl(t.Host, id, 0, IPC_STAT, stat);
        t.Ctl(t.Host, id, 0, IPC_SET, new SemUn { Buf = stat.Buf with { Perm = stat.Buf.Perm with { Mode = mode } } });
        return arg;
    }
}
