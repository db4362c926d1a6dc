namespace Prison.Cli.Tests;

public class MountCommandTests
{
    private static Session WithJails()
    {
        var s = new Session();
        s.Ok("kldload zfs");
        s.Ok("jail -c name=pg1 persist allow.mount allow.mount.zfs enforce_statfs=1");
        s.Ok("jail -c name=web persist allow.mount enforce_statfs=1");
        s.Ok("zfs create -o jailed=on tank/pg1");
        s.Ok("zfs create tank/host");
        s.Ok("zfs jail pg1 tank/pg1");
        return s;
    }

    [Fact]
    public void Mount_lists_what_the_jail_may_see()
    {
        using var s = WithJails();
        s.Ok("jexec pg1 mount -t zfs tank/pg1 /data");
        s.Ok("mount -t zfs tank/host /host");
        Assert.Equal("tank/pg1 on /data (zfs, local)\ntank/host on /host (zfs, local)\n", s.Ok("mount"));
        Assert.Equal("tank/pg1 on /data (zfs, local)\n", s.Ok("jexec pg1 mount"));
        Assert.Equal("", s.Ok("jexec web mount"));
        Assert.StartsWith("tank/host       /host           zfs    rw", s.Ok("mount -p").Split('\n')[1]);
        var json = System.Text.Json.JsonDocument.Parse(s.Ok("mount --json"));
        Assert.Equal("/host", json.RootElement.GetProperty("mount").GetProperty("mounted")[1].GetProperty("node").GetString());
    }

    [Fact]
    public void Mount_errors_are_errno_against_the_special_file()
    {
        using var s = WithJails();
        Assert.Equal("mount: tank/pg1: Operation not permitted\n", s.Fails("jexec web mount -t zfs tank/pg1 /x"));
        Assert.Equal("mount: x: Operation not supported by device\n", s.Fails("mount -t nofs x /x"));
        Assert.Equal("mount: tank/host: Operation not permitted\n", s.Fails("jexec pg1 mount -t zfs tank/host /x"));
        s.Ok("mount -t zfs tank/host /x");
        Assert.Equal("mount: tank/pg1: Device busy\n", s.Fails("mount -t zfs tank/pg1 /x"));
        Assert.Equal("mount: tank/host: Invalid argument\n", s.Fails("mount -t zfs tank/host relative"));
        Assert.StartsWith("usage: mount", s.Fails("mount -t zfs tank/host", 64));
    }

    [Fact]
    public void Umount_by_node_or_special_with_FreeBSD_messages()
    {
        using var s = WithJails();
        s.Ok("mount -t zfs tank/host /host");
        Assert.Equal("umount: /host: not a file system root directory\n", s.Fails("jexec pg1 umount /host"));
        s.Ok("jexec pg1 mount -t zfs tank/pg1 /data");
        s.Ok("umount tank/host");
        Assert.Equal("umount: /nothing: not a file system root directory\n", s.Fails("umount /nothing"));
        s.Ok("jail -m name=pg1 enforce_statfs=0");
        s.Ok("mount -t zfs tank/host /host");
        Assert.Equal("umount: unmount of /host failed: Operation not permitted\n", s.Fails("jexec pg1 umount /host"));
        s.Ok("jexec pg1 umount /data");
        Assert.Equal("", s.Ok("jexec pg1 mount -p").Replace("tank/host       /host           zfs    rw              0 0\n", "", StringComparison.Ordinal));
        Assert.StartsWith("usage: umount", s.Fails("umount", 64));
    }

    [Fact]
    public void Df_reports_referenced_and_what_quotas_leave()
    {
        using var s = WithJails();
        s.Ok("zfs set quota=1M tank/host");
        s.Ok("zfs-write tank/host f 256K");
        s.Ok("mount -t zfs tank/host /host");
        Assert.Equal("""
            Filesystem 1K-blocks Used Avail Capacity  Mounted on
            tank/host       1024  256   768      25%    /host

            """.Replace("\r", "", StringComparison.Ordinal), s.Ok("df -k"));
        Assert.Equal("""
            Filesystem    Size    Used   Avail Capacity  Mounted on
            tank/host     1.0M    256K    768K      25%    /host

            """.Replace("\r", "", StringComparison.Ordinal), s.Ok("df -h /host"));
        Assert.Contains("tank/host   zfs  ", s.Ok("df -T"));
        // libxo's df document: used-blocks in 512-byte blocks (262144 bytes referenced).
        Assert.Equal(512, System.Text.Json.JsonDocument.Parse(s.Ok("df --libxo json")).RootElement
            .GetProperty("storage-system-information").GetProperty("filesystem")[0].GetProperty("used-blocks").GetInt64());
        Assert.Equal(s.Ok("df --libxo json"), s.Ok("df --json"));
        Assert.Equal("df: /nothing: No such file or directory\n", s.Fails("df /nothing"));
        Assert.Equal("Filesystem 512-blocks Used Avail Capacity  Mounted on\n", s.Ok("jexec pg1 df"));
    }

    [Fact]
    public void Df_without_a_quota_has_no_size()
    {
        using var s = WithJails();
        s.Ok("mount -t zfs tank/host /host");
        Assert.EndsWith("tank/host           -    0     -        -    /host\n", s.Ok("df"));
    }
}
