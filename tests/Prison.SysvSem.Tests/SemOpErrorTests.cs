using Prison.Core;
using Prison.Core.Ipc;
using static Prison.Core.Ipc.IpcConstants;
using static Prison.SysvSem.Tests.SemTestKernel;

namespace Prison.SysvSem.Tests;

/// <summary>semop's errors in FreeBSD's order, and that a failing call changes nothing.</summary>
public sealed class SemOpErrorTests : IDisposable
{
    private readonly SemTestKernel _t = new();

    public void Dispose() => _t.Dispose();

    private static SemBuf[] Many(int n) => Enumerable.Repeat(B(0, 1), n).ToArray();

    [Fact]
    public void Disabled_jail_gets_ENOSYS_first()
    {
        var j = _t.Jail("off", sysvsem: "disable");
        Assert.Equal(Errno.ENOSYS, _t.Op(_t.RootIn(j), 0xffff, Many(101)));
    }

    [Fact]
    public void Index_out_of_range_is_EINVAL_before_E2BIG()
    {
        Assert.Equal(Errno.EINVAL, _t.Op(_t.Host, 0xffff, Many(101)));
        Assert.Equal(Errno.EINVAL, _t.Op(_t.Host, -1, Many(101)));
    }

    [Fact]
    public void Too_many_operations_is_E2BIG_before_the_set_is_looked_up()
    {
        var id = _t.NewSet(_t.Host);
        Assert.Equal(Errno.E2BIG, _t.Op(_t.Host, id, Many(101)));
        Assert.Equal(Errno.OK, _t.Op(_t.Host, id, Many(100)));
        _t.Ctl(_t.Host, id, 0, IPC_RMID);
        // The index is in range, the sequence is stale: E2BIG still comes first (FreeBSD).
        Assert.Equal(Errno.E2BIG, _t.Op(_t.Host, id, Many(101)));
        Assert.Equal(Errno.EINVAL, _t.Op(_t.Host, id, Many(1)));
    }

    [Fact]
    public void Up_to_eight_operations_are_never_E2BIG_as_in_FreeBSD()
    {
        var id = _t.NewSet(_t.Host);
        Assert.Equal(Errno.OK, _t.K.Sysctl.Write(_t.Host.Cred, "kern.ipc.semopm", "2"));
        Assert.Equal(Errno.OK, _t.Op(_t.Host, id, Many(8)));
        Assert.Equal(Errno.E2BIG, _t.Op(_t.Host, id, Many(9)));
        Assert.Equal(8, _t.Val(id));
    }

    [Fact]
    public void A_set_the_caller_cannot_see_is_EINVAL_never_EACCES()
    {
        var a = _t.Jail("a");
        var b = _t.Jail("b");
        var id = _t.NewSet(_t.RootIn(a), mode: 0x180);
        Assert.Equal(Errno.EINVAL, _t.Op(_t.RootIn(b), id, B(0, 1)));
        Assert.Equal(Errno.EINVAL, _t.Op(_t.Spawn(1001, 1001, b), id, B(5, 1)));
        Assert.Equal(0, _t.Val(id));
    }

    [Fact]
    public void Sem_num_outside_the_set_is_EFBIG_before_EACCES()
    {
        var id = _t.NewSet(_t.Host, nsems: 2, mode: 0x180);
        var user = _t.Spawn(1001, 1001);
        Assert.Equal(Errno.EFBIG, _t.Op(user, id, B(0, 1), B(2, 1)));
        Assert.Equal(Errno.EFBIG, _t.Op(_t.Host, id, B(65535, 1)));
        Assert.Equal(Errno.EACCES, _t.Op(user, id, B(1, 1)));
    }

    [Fact]
    public void Wait_for_zero_needs_read_alter_needs_write_and_mixing_needs_both()
    {
        var user = _t.Spawn(1001, 1001);
        var writeOnly = _t.NewSet(_t.Host, 2, mode: 0x182 /* 0602 */);
        Assert.Equal(Errno.EACCES, _t.Op(user, writeOnly, B(0, 0)));
        Assert.Equal(Errno.OK, _t.Op(user, writeOnly, B(0, 1)));
        Assert.Equal(Errno.EACCES, _t.Op(user, writeOnly, B(0, -1), B(1, 0)));

        var readOnly = _t.NewSet(_t.Host, 2, mode: 0x184 /* 0604 */);
        Assert.Equal(Errno.OK, _t.Op(user, readOnly, B(0, 0)));
        Assert.Equal(Errno.EACCES, _t.Op(user, readOnly, B(0, 1)));
        Assert.Equal(Errno.EACCES, _t.Op(user, readOnly, B(1, 0), B(0, 1)));

        var both = _t.NewSet(_t.Host, 2, mode: 0x186 /* 0606 */);
        Assert.Equal(Errno.OK, _t.Op(user, both, B(1, 0), B(0, 1)));
        Assert.Equal(1, _t.Val(both));
        // Group bits apply to a group member.
        var groupOnly = _t.NewSet(_t.Host, 1, mode: 0x190 /* 0620 */);
        Assert.Equal(Errno.OK, _t.Op(_t.Spawn(1001, 0), groupOnly, B(0, 1)));
        Assert.Equal(Errno.EACCES, _t.Op(user, groupOnly, B(0, 1)));
    }

    [Fact]
    public void No_operations_is_ok_and_sets_otime()
    {
        var id = _t.NewSet(_t.Host);
        Assert.Equal(Errno.OK, _t.Op(_t.Host, id));
        var arg = new SemUn();
        _t.Ctl(_t.Host, id, 0, IPC_STAT, arg);
        Assert.NotEqual(0, arg.Buf.Otime);
    }

    [Fact]
    public void Passing_semvmx_is_ERANGE_and_earlier_operations_are_rolled_back()
    {
        var id = _t.NewSet(_t.Host, 2);
        _t.SetVal(id, 1, 32767);
        Assert.Equal(Errno.ERANGE, _t.Op(_t.Host, id, B(0, 5), B(1, 1)));
        Assert.Equal(0, _t.Val(id, 0));
        Assert.Equal(32767, _t.Val(id, 1));
        // ERANGE even with IPC_NOWAIT, and it needs no waiting to be reported.
        Assert.Equal(Errno.ERANGE, _t.Op(_t.Host, id, B(1, 1, IPC_NOWAIT)));
        Assert.Equal(Errno.OK, _t.K.Sysctl.Write(_t.Host.Cred, "kern.ipc.semvmx", "10"));
        Assert.Equal(Errno.ERANGE, _t.Op(_t.Host, id, B(0, 11)));
        Assert.Equal(Errno.OK, _t.Op(_t.Host, id, B(0, 10)));
    }

    [Fact]
    public void IPC_NOWAIT_on_the_first_blocking_operation_is_EAGAIN_and_changes_nothing()
    {
        var id = _t.NewSet(_t.Host, 3);
        _t.SetVal(id, 2, 1);
        var p = _t.Spawn(0, 0);
        Assert.Equal(Errno.EAGAIN, _t.Op(p, id, B(0, 1, SEM_UNDO), B(1, -1, IPC_NOWAIT)));
        Assert.Equal(Errno.EAGAIN, _t.Op(p, id, B(0, 2), B(2, 0, IPC_NOWAIT)));
        Assert.Equal(new ushort[] { 0, 0, 1 }, GetAll(id));
        Assert.Equal(0, _t.Ctl(_t.Host, id, 0, GETPID));
        // The undo entry was never recorded: exiting changes nothing.
        _t.K.Processes.Exit(p);
        Assert.Equal(new ushort[] { 0, 0, 1 }, GetAll(id));
    }

    [Fact]
    public void ReportWouldSleep_returns_EWOULDSLEEP_with_nothing_changed_and_no_waiter()
    {
        var id = _t.NewSet(_t.Host, 2);
        var p = _t.Spawn(0, 0);
        // The first operation that cannot proceed lacks IPC_NOWAIT: it would sleep, even though a later
        // one has IPC_NOWAIT.
        var r = _t.K.Syscalls.SemOp(p, id, [B(0, 3, SEM_UNDO), B(1, -1), B(0, -9, IPC_NOWAIT)], WaitPolicy.ReportWouldSleep);
        Assert.Equal(Errno.EWOULDSLEEP, r);
        Assert.Equal(new ushort[] { 0, 0 }, GetAll(id));
        Assert.Equal(0, _t.Ncnt(id, 1));
        _t.K.Processes.Exit(p);
        Assert.Equal(new ushort[] { 0, 0 }, GetAll(id));
        // A call that can proceed is not affected by the policy.
        Assert.Equal(Errno.OK, _t.K.Syscalls.SemOp(_t.Host, id, [B(0, 1)], WaitPolicy.ReportWouldSleep));
    }

    [Fact]
    public void Undo_adjustment_beyond_semaem_is_ERANGE_and_nothing_is_applied()
    {
        var id = _t.NewSet(_t.Host, 2);
        var p = _t.Spawn(0, 0);
        Assert.Equal(Errno.ERANGE, _t.Op(p, id, B(1, 1, SEM_UNDO), B(0, 16385, SEM_UNDO)));
        Assert.Equal(new ushort[] { 0, 0 }, GetAll(id));
        Assert.Equal(Errno.OK, _t.Op(p, id, B(0, 16384, SEM_UNDO)));
        // The accumulated adjustment would pass -16384.
        Assert.Equal(Errno.ERANGE, _t.Op(p, id, B(1, 1, SEM_UNDO), B(0, 1, SEM_UNDO)));
        Assert.Equal(new ushort[] { 16384, 0 }, GetAll(id));
        // Without SEM_UNDO there is no bound.
        Assert.Equal(Errno.OK, _t.Op(p, id, B(0, 1)));
        _t.K.Processes.Exit(p);
        Assert.Equal(new ushort[] { 1, 0 }, GetAll(id));
    }

    [Fact]
    public void More_than_semume_undo_entries_per_process_is_EINVAL_and_nothing_is_applied()
    {
        Assert.Equal(Errno.OK, _t.K.Sysctl.Write(_t.Host.Cred, "kern.ipc.semume", "2"));
        var id = _t.NewSet(_t.Host, 3);
        var p = _t.Spawn(0, 0);
        Assert.Equal(Errno.OK, _t.Op(p, id, B(0, 1, SEM_UNDO), B(1, 1, SEM_UNDO)));
        Assert.Equal(Errno.EINVAL, _t.Op(p, id, B(0, 1, SEM_UNDO), B(2, 1, SEM_UNDO)));
        Assert.Equal(new ushort[] { 1, 1, 0 }, GetAll(id));
        // An adjustment that brings an entry back to zero frees it, making room.
        Assert.Equal(Errno.OK, _t.Op(p, id, B(0, -1, SEM_UNDO), B(2, 1, SEM_UNDO)));
        _t.K.Processes.Exit(p);
        Assert.Equal(new ushort[] { 0, 0, 0 }, GetAll(id));
    }

    [Fact]
    public void More_than_semmnu_undo_structures_is_ENOSPC()
    {
        Assert.Equal(Errno.OK, _t.K.Sysctl.Write(_t.Host.Cred, "kern.ipc.semmnu", "1"));
        var id = _t.NewSet(_t.Host, 1);
        var a = _t.Spawn(0, 0);
        var b = _t.Spawn(0, 0);
        Assert.Equal(Errno.OK, _t.Op(a, id, B(0, 1, SEM_UNDO)));
        Assert.Equal(Errno.ENOSPC, _t.Op(b, id, B(0, 1, SEM_UNDO)));
        Assert.Equal(1, _t.Val(id));
        Assert.Equal(Errno.OK, _t.Op(b, id, B(0, 1)));
        _t.K.Processes.Exit(a);
        Assert.Equal(Errno.OK, _t.Op(b, id, B(0, 1, SEM_UNDO)));
    }

    [Fact]
    public void Successful_semop_sets_sempid_of_every_named_semaphore_and_otime()
    {
        var id = _t.NewSet(_t.Host, 3);
        var p = _t.Spawn(0, 0);
        Assert.Equal(Errno.OK, _t.Op(p, id, B(0, 1), B(2, 0)));
        Assert.Equal(p.Pid, _t.Ctl(_t.Host, id, 0, GETPID));
        Assert.Equal(0, _t.Ctl(_t.Host, id, 1, GETPID));
        Assert.Equal(p.Pid, _t.Ctl(_t.Host, id, 2, GETPID));
    }

    private ushort[] GetAll(int id)
    {
        var arg = new SemUn();
        _t.Ctl(_t.Host, id, 0, GETALL, arg);
        return arg.Array!;
    }
}
