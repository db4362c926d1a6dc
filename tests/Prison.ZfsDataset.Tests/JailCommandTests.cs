using Prison.Core;
using Prison.Core.Zfs;
using static Prison.ZfsDataset.Tests.ZfsTestKernel;

namespace Prison.ZfsDataset.Tests;

/// <summary><c>zfs jail</c> / <c>zfs unjail</c>: privilege, the checks and their order, the per-jail list.</summary>
public class JailCommandTests
{
    [Fact]
    public void Jail_attaches_a_jailed_dataset_and_unjail_detaches_it()
    {
        using var t = new ZfsTestKernel();
        var pg = t.Jail("pg");
        t.Create("tank/pg1", ("jailed", "on"));
        Ok(t.K.Syscalls.ZfsJail(t.Host, "pg", "tank/pg1"));
        Assert.Equal(["tank/pg1"], t.K.Syscalls.ZfsAttached(t.Host, "pg").Value);
        Ok(t.K.Syscalls.ZfsUnjail(t.Host, pg.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), "tank/pg1"));
        Assert.Empty(t.K.Syscalls.ZfsAttached(t.Host, "pg").Value);
    }

    [Fact]
    public void Only_host_root_may_jail_or_unjail()
    {
        using var t = new ZfsTestKernel();
        var pg = t.Jail("pg", ("children.max", "1"));
        t.Create("tank/pg1", ("jailed", "on"));
        Fails(Errno.EPERM, t.K.Syscalls.ZfsJail(t.RootIn(pg), "pg", "tank/pg1"), "permission denied");
        Fails(Errno.EPERM, t.K.Syscalls.ZfsJail(t.UserIn(t.K.Prison0, 1001), "pg", "tank/pg1"));
        Ok(t.K.Syscalls.ZfsJail(t.Host, "pg", "tank/pg1"));
        Fails(Errno.EPERM, t.K.Syscalls.ZfsUnjail(t.RootIn(pg), "pg", "tank/pg1"));
        Fails(Errno.EPERM, t.K.Syscalls.ZfsUnjail(t.UserIn(t.K.Prison0, 1001), "pg", "tank/pg1"));
        Assert.Equal(["tank/pg1"], t.K.Syscalls.ZfsAttached(t.Host, "pg").Value);
    }

    [Fact]
    public void Jail_errors_follow_zfs()
    {
        using var t = new ZfsTestKernel();
        t.Jail("pg");
        t.Create("tank/plain");
        t.Create("tank/pg1", ("jailed", "on"));
        Ok(t.K.Syscalls.ZfsSnapshot(t.Host, "tank/pg1@s1"));
        Fails(Errno.ENOENT, t.K.Syscalls.ZfsJail(t.Host, "pg", "tank/missing"), "dataset does not exist");
        Fails(Errno.EINVAL, t.K.Syscalls.ZfsJail(t.Host, "pg", "tank/pg1@s1"), "snapshots can not be jailed");
        Fails(Errno.ENOENT, t.K.Syscalls.ZfsJail(t.Host, "nosuchjail", "tank/pg1"), "jail 'nosuchjail' not found");
        Fails(Errno.EINVAL, t.K.Syscalls.ZfsJail(t.Host, "pg", "tank/bad!name"), "invalid character");
        Ok(t.K.Syscalls.ZfsJail(t.Host, "pg", "tank/pg1"));
        Fails(Errno.EEXIST, t.K.Syscalls.ZfsJail(t.Host, "pg", "tank/pg1"), "already attached");
        Fails(Errno.ENOENT, t.K.Syscalls.ZfsUnjail(t.Host, "pg", "tank/plain"), "not attached");
        Fails(Errno.ENOENT, t.K.Syscalls.ZfsUnjail(t.Host, "nosuchjail", "tank/pg1"));
        Assert.Equal(["tank/pg1"], t.K.Syscalls.ZfsAttached(t.Host, "pg").Value);
        // jailed=on is not needed to attach (OpenZFS zone_dataset_attach checks privilege, jail, duplicates).
        Ok(t.K.Syscalls.ZfsJail(t.Host, "pg", "tank/plain"));
        Assert.Equal(["tank/pg1", "tank/plain"], t.K.Syscalls.ZfsAttached(t.Host, "pg").Value);
    }

    [Fact]
    public void A_jailed_child_inherits_jailed_and_can_be_attached_on_its_own()
    {
        using var t = new ZfsTestKernel();
        t.Jail("pg");
        t.Create("tank/jails", ("jailed", "on"));
        t.Create("tank/jails/pg1");
        var jailed = t.K.Syscalls.ZfsGet(t.Host, "tank/jails/pg1", "jailed").Value.Single();
        Assert.Equal(("on", "inherited from tank/jails"), (jailed.Value, jailed.Source));
        Ok(t.K.Syscalls.ZfsJail(t.Host, "pg", "tank/jails/pg1"));
    }

    [Fact]
    public void The_same_dataset_can_be_attached_to_two_jails()
    {
        using var t = new ZfsTestKernel();
        t.Jail("a");
        t.Jail("b");
        t.Create("tank/shared", ("jailed", "on"));
        Ok(t.K.Syscalls.ZfsJail(t.Host, "a", "tank/shared"));
        Ok(t.K.Syscalls.ZfsJail(t.Host, "b", "tank/shared"));
        Ok(t.K.Syscalls.ZfsUnjail(t.Host, "a", "tank/shared"));
        Assert.Equal(["tank/shared"], t.K.Syscalls.ZfsAttached(t.Host, "b").Value);
    }

    [Fact]
    public void Calls_fail_with_ENOSYS_when_the_module_is_not_loaded()
    {
        using var t = new ZfsTestKernel(load: false);
        Fails(Errno.ENOSYS, t.K.Syscalls.ZfsList(t.Host), "not loaded");
        Fails(Errno.ENOSYS, t.K.Syscalls.ZfsJail(t.Host, "pg", "tank/pg1"));
    }
}
