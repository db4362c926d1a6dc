using Prison.Core.Syscalls;

namespace Prison.Core.Tests.Syscalls;

/// <summary>kenv(2) as sys_kenv in sys/kern/kern_environment.c answers it.</summary>
public class KenvSyscallTests
{
    [Fact]
    public void Host_root_sets_gets_dumps_and_unsets()
    {
        using var k = new Kernel();
        Assert.Equal(Errno.OK, k.Syscalls.KenvSet(k.Init, "kern.ipc.shmmni", "64"));
        Assert.Equal("64", k.Syscalls.KenvGet(k.Init, "kern.ipc.shmmni").Value);
        Assert.Equal([new("kern.ipc.shmmni", "64")], k.Syscalls.KenvDump(k.Init));
        Assert.Equal(Errno.OK, k.Syscalls.KenvUnset(k.Init, "kern.ipc.shmmni"));
        Assert.Equal(Errno.ENOENT, k.Syscalls.KenvGet(k.Init, "kern.ipc.shmmni").Error);
    }

    [Fact]
    public void A_jail_may_read_but_not_set_or_unset_and_nothing_changes()
    {
        using var k = new Kernel();
        k.Syscalls.KenvSet(k.Init, "a", "1");
        var jailedRoot = k.RootIn(k.Create("pg"));

        // PRIV_KENV_SET / PRIV_KENV_UNSET: prison_priv_check grants neither, so jailed root gets EPERM.
        Assert.Equal(Errno.EPERM, k.Syscalls.KenvSet(jailedRoot, "a", "2"));
        Assert.Equal(Errno.EPERM, k.Syscalls.KenvSet(jailedRoot, "b", "2"));
        Assert.Equal(Errno.EPERM, k.Syscalls.KenvUnset(jailedRoot, "a"));
        Assert.Equal("1", k.Syscalls.KenvGet(jailedRoot, "a").Value);
        Assert.Equal([new("a", "1")], k.Syscalls.KenvDump(jailedRoot));
    }

    [Fact]
    public void A_host_user_that_is_not_root_may_not_set()
    {
        using var k = new Kernel();
        var user = k.UserIn(k.Prison0, 1001, 1001);
        Assert.Equal(Errno.EPERM, k.Syscalls.KenvSet(user, "a", "1"));
        Assert.Equal(Errno.ENOENT, k.Syscalls.KenvGet(user, "a").Error);
    }

    [Fact]
    public void The_privilege_is_checked_before_the_arguments()
    {
        using var k = new Kernel();
        var jailedRoot = k.RootIn(k.Create("pg"));
        var longName = new string('n', SyscallInterface.KenvNameMax + 1);
        Assert.Equal(Errno.EPERM, k.Syscalls.KenvSet(jailedRoot, longName, "1"));
        Assert.Equal(Errno.EPERM, k.Syscalls.KenvUnset(jailedRoot, "missing"));
    }

    [Fact]
    public void Names_and_values_past_128_characters_are_ENAMETOOLONG_and_unset_of_a_missing_name_is_ENOENT()
    {
        using var k = new Kernel();
        var tooLong = new string('x', 129);
        Assert.Equal(Errno.ENAMETOOLONG, k.Syscalls.KenvSet(k.Init, tooLong, "1"));
        Assert.Equal(Errno.ENAMETOOLONG, k.Syscalls.KenvSet(k.Init, "a", tooLong));
        Assert.Equal(Errno.ENAMETOOLONG, k.Syscalls.KenvGet(k.Init, tooLong).Error);
        Assert.Equal(Errno.ENOENT, k.Syscalls.KenvUnset(k.Init, "missing"));
        Assert.Equal(Errno.OK, k.Syscalls.KenvSet(k.Init, "a", new string('x', 128)));
        Assert.Equal(Errno.EINVAL, k.Syscalls.KenvSet(k.Init, "", "1"));
        Assert.Equal(Errno.EINVAL, k.Syscalls.KenvSet(k.Init, "a=b", "1"));
        Assert.Equal([new("a", new string('x', 128))], k.Syscalls.KenvDump(k.Init));
    }
}
