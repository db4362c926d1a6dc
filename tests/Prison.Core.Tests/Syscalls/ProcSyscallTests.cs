using Prison.Core.Procs;

namespace Prison.Core.Tests.Syscalls;

/// <summary>kern.proc.all and kill(2): the kernel applies p_cansee (prison_check) and p_cansignal.</summary>
public class ProcSyscallTests
{
    [Fact]
    public void A_jail_sees_its_own_and_its_childrens_processes_never_its_parents_or_a_siblings()
    {
        using var k = new Kernel();
        var a = k.Create("a", ("children.max", "1"));
        var b = k.Create("b");
        var inA = k.RootIn(a);
        var child = k.CreateAs(inA, "c");
        var inChild = k.RootIn(child);
        var inB = k.RootIn(b);

        Assert.Equal([k.Init.Pid, inA.Pid, inChild.Pid, inB.Pid], k.Syscalls.ProcList(k.Init).Select(p => p.Pid));
        Assert.Equal([inA.Pid, inChild.Pid], k.Syscalls.ProcList(inA).Select(p => p.Pid));
        Assert.Equal([inChild.Pid], k.Syscalls.ProcList(inChild).Select(p => p.Pid));
        Assert.Equal([inB.Pid], k.Syscalls.ProcList(inB).Select(p => p.Pid));
        var viaSysctl = Assert.IsAssignableFrom<IReadOnlyList<Prison.Core.Syscalls.KinfoProc>>(k.Syscalls.Sysctl(inA, "kern.proc.all").Value);
        Assert.Equal([inA.Pid, inChild.Pid], viaSysctl.Select(p => p.Pid));
    }

    [Fact]
    public void The_records_are_copies_taken_at_the_call()
    {
        using var k = new Kernel();
        var jail = k.Create("pg");
        var user = k.UserIn(jail, 1001, 900);
        var row = Assert.Single(k.Syscalls.ProcList(user));
        Assert.Equal((user.Pid, k.Init.Pid, jail.Id, 1001u, 900u, "sh"), (row.Pid, row.ParentPid, row.Jid, row.Uid, row.Gid, row.Command));

        k.Syscalls.Exit(user);

        Assert.Equal(user.Pid, row.Pid);
        Assert.DoesNotContain(k.Syscalls.ProcList(k.Init), p => p.Pid == user.Pid);
    }

    [Fact]
    public void Kill_is_ESRCH_for_a_process_the_caller_cannot_see_and_EPERM_for_another_users()
    {
        using var k = new Kernel();
        var a = k.Create("a");
        var b = k.Create("b");
        var inA = k.RootIn(a);
        var inB = k.RootIn(b);
        var alice = k.UserIn(a, 1001, 1001);
        var bob = k.UserIn(a, 1002, 1002);

        Assert.Equal(Errno.ESRCH, k.Syscalls.Kill(inA, inB.Pid, 9));
        Assert.Equal(Errno.ESRCH, k.Syscalls.Kill(inA, k.Init.Pid, 0));
        Assert.Equal(Errno.ESRCH, k.Syscalls.Kill(inA, 99999, 0));
        Assert.Equal(Errno.EPERM, k.Syscalls.Kill(alice, bob.Pid, 9));
        Assert.False(bob.HasExited);
        Assert.Equal(Errno.EINVAL, k.Syscalls.Kill(inA, bob.Pid, -1));

        Assert.Equal(Errno.OK, k.Syscalls.Kill(inA, bob.Pid, 0));
        Assert.False(bob.HasExited);
        Assert.Equal(Errno.OK, k.Syscalls.Kill(inA, bob.Pid, 9));
        Assert.True(bob.HasExited);
        Assert.Equal(Errno.ESRCH, k.Syscalls.Kill(inA, bob.Pid, 0));
    }

    [Fact]
    public void Init_takes_no_signal()
    {
        using var k = new Kernel();
        Assert.Equal(Errno.OK, k.Syscalls.Kill(k.Init, k.Init.Pid, 9));
        Assert.False(k.Init.HasExited);
    }
}
