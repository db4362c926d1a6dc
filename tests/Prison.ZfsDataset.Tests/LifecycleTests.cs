using Prison.Core;
using Prison.Core.Zfs;
using static Prison.ZfsDataset.Tests.ZfsTestKernel;

namespace Prison.ZfsDataset.Tests;

/// <summary>Jail removal and module load/unload with datasets attached and mounted.</summary>
public class LifecycleTests
{
    [Fact]
    public void Jail_removal_unmounts_and_detaches()
    {
        using var t = new ZfsTestKernel();
        var pg = t.MountingJail("pg");
        t.Delegate("tank/pg1", pg);
        t.Create("tank/host");
        Ok(t.K.Syscalls.ZfsMount(t.RootIn(pg), "tank/pg1"));
        Ok(t.K.Syscalls.ZfsMount(t.Host, "tank/host"));
        Assert.Equal(Errno.OK, t.K.Syscalls.JailRemove(t.Host, pg.Id));
        Assert.Equal(["tank/host"], t.K.Vfs.Mounts.Select(m => m.Source));
        Assert.Equal("no", t.Prop(t.Host, "tank/pg1", "mounted"));
        // A new jail of the same name starts with nothing attached.
        t.MountingJail("pg");
        Assert.Empty(t.K.Syscalls.ZfsAttached(t.Host, "pg").Value);
        Fails(Errno.ENOENT, t.K.Syscalls.ZfsList(t.RootIn(t.K.Jails.FindVisible(t.K.Prison0, "pg")!), "tank/pg1"));
    }

    [Fact]
    public void Unload_is_refused_while_a_zfs_file_system_is_mounted()
    {
        using var t = new ZfsTestKernel();
        var pg = t.MountingJail("pg");
        t.Delegate("tank/pg1", pg);
        Ok(t.K.Syscalls.ZfsMount(t.RootIn(pg), "tank/pg1"));
        Fails(Errno.EBUSY, t.Unload());
        Assert.NotNull(t.K.Modules.Find("zfs"));
        Assert.Equal(["tank/pg1"], t.K.Syscalls.ZfsAttached(t.Host, "pg").Value);
        Ok(t.K.Syscalls.ZfsUnmount(t.RootIn(pg), "tank/pg1"));
        Ok(t.Unload());
        Fails(Errno.ENOSYS, t.K.Syscalls.ZfsList(t.Host));
        Assert.Null(t.K.Vfs.FindType("zfs"));
    }

    [Fact]
    public void After_unload_allow_mount_zfs_is_an_unknown_parameter()
    {
        using var t = new ZfsTestKernel();
        var pg = t.MountingJail("pg");
        Assert.True(pg.IsAllowed("allow.mount.zfs"));
        Assert.NotNull(t.K.Sysctl.Find("security.jail.param.allow.mount.zfs"));
        Ok(t.Unload());
        Fails(Errno.ENOENT, t.TryJail(t.Host, "web", ("allow.mount.zfs", "1")), "unknown parameter: allow.mount.zfs");
        Assert.Null(t.K.Sysctl.Find("security.jail.param.allow.mount.zfs"));
        // The flag does not come back by itself when the module is loaded again.
        Assert.False(pg.IsAllowed("allow.mount.zfs"));
        t.Load();
        Assert.False(pg.IsAllowed("allow.mount.zfs"));
        Ok(t.TryJail(t.Host, "web", ("allow.mount.zfs", "1")));
    }

    [Fact]
    public void Force_unload_with_mounts_is_EBUSY_and_changes_nothing()
    {
        // -f skips only the quiesce veto; the file system's own refusal while mounted (vfs_unregister) stays.
        using var t = new ZfsTestKernel();
        var pg = t.MountingJail("pg");
        t.Delegate("tank/pg1", pg);
        Ok(t.K.Syscalls.ZfsMount(t.RootIn(pg), "tank/pg1"));
        Fails(Errno.EBUSY, t.K.Modules.Unload(t.Host.Cred, "zfs", force: true));
        Assert.Single(t.K.Vfs.Mounts);
        Ok(t.K.Syscalls.ZfsUnmount(t.RootIn(pg), "tank/pg1"));
        Ok(t.K.Modules.Unload(t.Host.Cred, "zfs", force: true));
        Assert.Empty(t.K.Vfs.Mounts);
    }

    [Fact]
    public void Loading_with_jails_alive_gives_each_an_empty_list()
    {
        using var t = new ZfsTestKernel(load: false);
        var a = t.Jail("a", ("children.max", "1"));
        t.JailAs(t.RootIn(a), "inner");
        t.Jail("b");
        t.Load();
        foreach (var name in new[] { "a", "a.inner", "b" })
            Assert.Empty(t.K.Syscalls.ZfsAttached(t.Host, name).Value);
        t.Create("tank/x", ("jailed", "on"));
        Ok(t.K.Syscalls.ZfsJail(t.Host, "a.inner", "tank/x"));
        Assert.Equal(["tank/x"], t.K.Syscalls.ZfsAttached(t.Host, "a.inner").Value);
    }

    [Fact]
    public void Unload_and_reload_start_from_the_boot_pools()
    {
        using var t = new ZfsTestKernel(pools: "tank, backup");
        var pg = t.Jail("pg");
        t.Delegate("tank/pg1", pg);
        Assert.Equal(["backup", "tank"], t.K.Syscalls.ZpoolList(t.Host).Value);
        Ok(t.Unload());
        t.Load();
        Assert.Empty(t.K.Syscalls.ZfsAttached(t.Host, "pg").Value);
        Fails(Errno.ENOENT, t.K.Syscalls.ZfsList(t.Host, "tank/pg1"));
    }

    [Fact]
    public void A_bad_pool_tunable_fails_the_load_and_leaves_nothing_behind()
    {
        using var t = new ZfsTestKernel(load: false, pools: "9bad");
        var r = t.K.Modules.LoadInstance(new Prison.Plugins.ZfsDataset.ZfsModule());
        Fails(Errno.EINVAL, r, "zfs.pools");
        Assert.Null(t.K.Vfs.FindType("zfs"));
        Assert.Null(t.K.Jails.Parameters.Find("allow.mount.zfs"));
    }

    [Fact]
    public void Destroying_a_mounted_dataset_unmounts_it_first()
    {
        using var t = new ZfsTestKernel();
        var pg = t.MountingJail("pg");
        t.Delegate("tank/pg1", pg);
        var root = t.RootIn(pg);
        Ok(t.K.Syscalls.ZfsCreate(root, "tank/pg1/db"));
        Ok(t.K.Syscalls.ZfsMount(root, "tank/pg1/db"));
        Ok(t.K.Syscalls.ZfsMount(root, "tank/pg1"));
        Fails(Errno.EBUSY, t.K.Syscalls.ZfsRename(root, "tank/pg1/db", "tank/pg1/db2"), "mounted");
        Ok(t.K.Syscalls.ZfsDestroy(root, "tank/pg1/db"));
        Assert.Equal(["tank/pg1"], t.K.Vfs.Mounts.Select(m => m.Source));
        Ok(t.K.Syscalls.ZfsDestroy(t.Host, "tank/pg1"));
        Assert.Empty(t.K.Vfs.Mounts);
    }
}
