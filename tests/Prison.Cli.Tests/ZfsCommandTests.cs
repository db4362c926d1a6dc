namespace Prison.Cli.Tests;

public class ZfsCommandTests
{
    private static Session WithZfs()
    {
        var s = new Session();
        s.Ok("kldload zfs");
        return s;
    }

    private static Session WithDelegatedDataset()
    {
        var s = WithZfs();
        s.Ok("jail -c name=pg1 persist allow.mount allow.mount.zfs enforce_statfs=1");
        s.Ok("zfs create -o jailed=on tank/pg1");
        s.Ok("zfs jail pg1 tank/pg1");
        return s;
    }

    [Fact]
    public void Without_the_module_every_command_fails_as_without_zfs_ko()
    {
        using var s = new Session();
        Assert.Equal("Failed to load zfs module: No such file or directory\n", s.Fails("zfs list", 1));
        Assert.Equal("Failed to load zfs module: No such file or directory\n", s.Fails("zfs create tank/a", 1));
        Assert.Equal("Failed to load zfs module: No such file or directory\n", s.Fails("zpool list", 1));
        Assert.Equal("zfs-write: Failed to load zfs module: No such file or directory\n", s.Fails("zfs-write tank f 1"));
    }

    [Fact]
    public void List_prints_FreeBSD_columns_with_readable_sizes()
    {
        using var s = WithZfs();
        s.Ok("zfs create -p tank/a/b");
        s.Ok("zfs set quota=1M tank/a");
        s.Ok("zfs-write tank/a/b f 1536");
        Assert.Equal("""
            NAME       USED  AVAIL  REFER  MOUNTPOINT
            tank      1.50K      -     0B  /tank
            tank/a    1.50K  1022K     0B  /tank/a
            tank/a/b  1.50K  1022K  1.50K  /tank/a/b

            """.Replace("\r", "", StringComparison.Ordinal), s.Ok("zfs list"));
        Assert.Equal("tank/a/b\t1536\t1047040\n", s.Ok("zfs list -Hp -o name,used,avail tank/a/b"));
        Assert.Equal("NAME    QUOTA\ntank/a     1M\n", s.Ok("zfs list -o name,quota tank/a"));
    }

    [Fact]
    public void List_filters_types_and_reports_errors()
    {
        using var s = WithZfs();
        s.Ok("zfs create tank/a");
        s.Ok("zfs snapshot tank/a@s1");
        Assert.DoesNotContain("@s1", s.Ok("zfs list -r tank"));
        Assert.Equal("tank/a@s1\n", s.Ok("zfs list -H -o name -t snapshot"));
        Assert.Contains("tank/a@s1", s.Ok("zfs list -t all -r tank/a"));
        Assert.Equal("cannot open 'tank/none': dataset does not exist\n", s.Fails("zfs list tank/none", 1));
        Assert.StartsWith("invalid property 'bogus'\nusage: zfs list", s.Fails("zfs list -o bogus", 2));
        Assert.StartsWith("invalid type 'volume'\nusage:", s.Fails("zfs list -t volume", 2));
    }

    [Fact]
    public void List_with_nothing_visible_says_so()
    {
        using var s = WithZfs();
        s.Ok("jail -c name=j persist");
        var (status, output, error) = s.Run("jexec j zfs list");
        Assert.Equal((0, "", "no datasets available\n"), (status, output, error));
    }

    [Fact]
    public void Get_and_set_properties()
    {
        using var s = WithZfs();
        s.Ok("zfs create tank/a");
        s.Ok("zfs set quota=2G tank/a");
        Assert.Equal("""
            NAME    PROPERTY    VALUE    SOURCE
            tank/a  quota       2G       local
            tank/a  mountpoint  /tank/a  default
            tank/a  available   2G       -

            """.Replace("\r", "", StringComparison.Ordinal), s.Ok("zfs get quota,mountpoint,avail tank/a"));
        Assert.Equal("tank/a\tquota\t2147483648\tlocal\n", s.Ok("zfs get -Hp quota tank/a"));
        var all = s.Ok("zfs get all tank/a");
        Assert.Equal(9, all.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains("tank/a  jailed      off         default", all);
        Assert.StartsWith("bad property list: invalid property 'nope'\nusage:", s.Fails("zfs get nope tank/a", 2));
        Assert.Equal("cannot open 'tank/b': dataset does not exist\n", s.Fails("zfs get quota tank/b", 1));
        Assert.Equal("cannot set property for 'tank/a': bad numeric value 'lots'\n", s.Fails("zfs set quota=lots tank/a", 1));
        Assert.StartsWith("missing value in property=value argument\nusage:", s.Fails("zfs set quota tank/a", 2));
    }

    [Fact]
    public void Create_destroy_snapshot_rename()
    {
        using var s = WithZfs();
        Assert.Equal("cannot create 'tank/a/b': parent does not exist\n", s.Fails("zfs create tank/a/b", 1));
        s.Ok("zfs create -p tank/a/b");
        Assert.Equal("cannot create 'tank/a/b': dataset already exists\n", s.Fails("zfs create tank/a/b", 1));
        s.Ok("zfs snapshot tank/a/b@s1");
        s.Ok("zfs rename tank/a/b tank/a/c");
        Assert.Equal("tank/a/c@s1\n", s.Ok("zfs list -H -o name -t snapshot"));
        Assert.StartsWith("cannot destroy 'tank/a': filesystem has children", s.Fails("zfs destroy tank/a", 1));
        s.Ok("zfs destroy -r tank/a");
        Assert.Equal("tank\n", s.Ok("zfs list -H -o name"));
        Assert.StartsWith("usage: zfs create", s.Fails("zfs create", 2));
        Assert.StartsWith("unrecognized command 'frob'\nusage:", s.Fails("zfs frob", 2));
        Assert.StartsWith("usage: zfs command", s.Fails("zfs", 2));
    }

    [Fact]
    public void Mount_and_unmount_through_zfs()
    {
        using var s = WithZfs();
        s.Ok("zfs create tank/a");
        s.Ok("zfs mount tank/a");
        Assert.Equal("tank/a                          /tank/a\n", s.Ok("zfs mount"));
        Assert.Equal("cannot mount 'tank/a': filesystem already mounted\n", s.Fails("zfs mount tank/a", 1));
        s.Ok("zfs unmount /tank/a");
        Assert.Equal("", s.Ok("zfs mount"));
        Assert.Equal("cannot unmount 'tank/a': not currently mounted\n", s.Fails("zfs unmount tank/a", 1));
        Assert.Equal("cannot unmount '/nowhere': not a ZFS filesystem\n", s.Fails("zfs umount /nowhere", 1));
    }

    [Fact]
    public void A_delegated_dataset_from_inside_its_jail()
    {
        using var s = WithDelegatedDataset();
        s.Ok("zfs create tank/other");
        Assert.Equal("tank\ntank/pg1\n", s.Ok("jexec pg1 zfs list -H -o name"));
        Assert.Equal("cannot open 'tank/other': dataset does not exist\n", s.Fails("jexec pg1 zfs list tank/other", 1));
        s.Ok("jexec pg1 zfs create tank/pg1/data");
        s.Ok("jexec pg1 zfs mount tank/pg1/data");
        Assert.Equal("tank/pg1/data on /tank/pg1/data (zfs, local)\n", s.Ok("jexec pg1 mount"));
        Assert.StartsWith("cannot set property for 'tank/pg1/data': 'jailed' cannot be changed", s.Fails("jexec pg1 zfs set jailed=off tank/pg1/data", 1));
        Assert.StartsWith("cannot jail 'tank/pg1': permission denied", s.Fails("jexec pg1 zfs jail pg1 tank/pg1", 1));
    }

    [Fact]
    public void A_dataset_without_jailed_attaches_and_is_listed_in_the_jail_but_read_only_there()
    {
        using var s = WithDelegatedDataset();
        s.Ok("zfs create tank/plain");
        s.Ok("zfs jail pg1 tank/plain");
        Assert.Contains("tank/plain ", s.Ok("jexec pg1 zfs list"));
        Assert.StartsWith("cannot create 'tank/plain/x': permission denied", s.Fails("jexec pg1 zfs create tank/plain/x", 1));
        Assert.StartsWith("cannot create snapshot 'tank/plain@s': permission denied", s.Fails("jexec pg1 zfs snapshot tank/plain@s", 1));
        Assert.StartsWith("cannot set property for 'tank/plain': permission denied", s.Fails("jexec pg1 zfs set quota=1M tank/plain", 1));
        // Once jailed, the same dataset is the jail's to change.
        s.Ok("zfs set jailed=on tank/plain");
        s.Ok("jexec pg1 zfs create tank/plain/x");
    }

    [Fact]
    public void Jail_and_unjail_errors()
    {
        using var s = WithDelegatedDataset();
        s.Ok("zfs create tank/plain");
        Assert.StartsWith("cannot jail 'tank/pg1': dataset is already attached", s.Fails("zfs jail pg1 tank/pg1", 1));
        s.Ok("zfs jail pg1 tank/plain"); // jailed=on is not needed to attach (OpenZFS zone_dataset_attach)
        s.Ok("zfs unjail pg1 tank/plain");
        Assert.StartsWith("cannot jail 'tank/pg1': jail 'nope' not found", s.Fails("zfs jail nope tank/pg1", 1));
        s.Ok("zfs unjail pg1 tank/pg1");
        Assert.StartsWith("cannot unjail 'tank/pg1': dataset is not attached", s.Fails("zfs unjail pg1 tank/pg1", 1));
        Assert.StartsWith("usage: zfs jail", s.Fails("zfs jail pg1", 2));
    }

    [Fact]
    public void Zpool_create_and_list()
    {
        using var s = WithZfs();
        s.Ok("zpool create data");
        s.Ok("zfs-write data f 2K");
        Assert.Equal("NAME  ALLOC  HEALTH  ALTROOT\ndata     2K  ONLINE  -\ntank     0B  ONLINE  -\n", s.Ok("zpool list"));
        Assert.Equal("data\t2048\tONLINE\t-\n", s.Ok("zpool list -Hp data"));
        Assert.Equal("cannot open 'nope': no such pool\n", s.Fails("zpool list nope", 1));
        Assert.Equal("cannot create 'data': pool already exists\n", s.Fails("zpool create data", 1));
        s.Ok("jail -c name=j persist");
        Assert.Equal("no pools available\n", s.Ok("jexec j zpool list"));
        Assert.StartsWith("usage: zpool create", s.Fails("zpool create", 2));
    }

    [Fact]
    public void Zfs_write_charges_used_and_respects_quota()
    {
        using var s = WithZfs();
        s.Ok("zfs create -o quota=4K tank/q");
        s.Ok("zfs-write tank/q a 3K");
        Assert.Equal("zfs-write: write tank/q:b: Disc quota exceeded (quota of 'tank/q' is 4096 bytes)\n", s.Fails("zfs-write tank/q b 2K"));
        s.Ok("zfs-rm tank/q a");
        Assert.Equal("0\n", s.Ok("zfs list -Hp -o used tank/q"));
        Assert.Equal("zfs-rm: remove tank/q:a: No such file or directory\n", s.Fails("zfs-rm tank/q a"));
        Assert.Equal("zfs-write: bad size 'x'\n", s.Fails("zfs-write tank/q a x", 64));
        Assert.StartsWith("usage: zfs-write", s.Fails("zfs-write tank/q", 64));
    }

    [Theory]
    [InlineData(0, "0B")]
    [InlineData(512, "512B")]
    [InlineData(1024, "1K")]
    [InlineData(1536, "1.50K")]
    [InlineData(10239, "10.0K")]
    [InlineData(98304, "96K")]
    [InlineData(1048575, "1024K")]
    [InlineData(1572864, "1.50M")]
    public void Sizes_print_as_zfs_nicebytes(long bytes, string expected) =>
        Assert.Equal(expected, Userland.ZfsFormat.NiceBytes(bytes));
}
