using Prison.Core;
using Prison.Core.Zfs;
using static Prison.ZfsDataset.Tests.ZfsTestKernel;

namespace Prison.ZfsDataset.Tests;

/// <summary>Pools, datasets, snapshots, rename, properties, and quota through the model's writes.</summary>
public class DatasetTests
{
    [Fact]
    public void Create_follows_zfs()
    {
        using var t = new ZfsTestKernel();
        Ok(t.K.Syscalls.ZfsCreate(t.Host, "tank/a"));
        Fails(Errno.EEXIST, t.K.Syscalls.ZfsCreate(t.Host, "tank/a"), "dataset already exists");
        Fails(Errno.ENOENT, t.K.Syscalls.ZfsCreate(t.Host, "tank/x/y"), "parent does not exist");
        Ok(t.K.Syscalls.ZfsCreate(t.Host, "tank/x/y", parents: true));
        Fails(Errno.ENOENT, t.K.Syscalls.ZfsCreate(t.Host, "nopool/a"), "no such pool 'nopool'");
        Fails(Errno.EINVAL, t.K.Syscalls.ZfsCreate(t.Host, "tank/a@s"), "'@'");
        Fails(Errno.EINVAL, t.K.Syscalls.ZfsCreate(t.Host, "tank//a"), "empty component");
        Fails(Errno.EINVAL, t.K.Syscalls.ZfsCreate(t.Host, "tank/b", properties: [new("quota", "lots")]), "bad numeric value");
        Fails(Errno.EINVAL, t.K.Syscalls.ZfsCreate(t.Host, "tank/b", properties: [new("used", "1")]), "'used' is readonly");
        Fails(Errno.EPERM, t.K.Syscalls.ZfsCreate(t.UserIn(t.K.Prison0, 1001), "tank/b"), "permission denied");
        Fails(Errno.ENOENT, t.K.Syscalls.ZfsList(t.Host, "tank/b"));
    }

    [Fact]
    public void Zpool_create_is_for_host_root()
    {
        using var t = new ZfsTestKernel();
        var pg = t.Jail("pg");
        Ok(t.K.Syscalls.ZpoolCreate(t.Host, "data"));
        Fails(Errno.EEXIST, t.K.Syscalls.ZpoolCreate(t.Host, "data"));
        Fails(Errno.EPERM, t.K.Syscalls.ZpoolCreate(t.RootIn(pg), "jailpool"));
        Fails(Errno.EPERM, t.K.Syscalls.ZpoolCreate(t.UserIn(t.K.Prison0, 1001), "userpool"));
        Fails(Errno.EINVAL, t.K.Syscalls.ZpoolCreate(t.Host, "mirror"));
        Assert.Equal(["data", "tank"], t.K.Syscalls.ZpoolList(t.Host).Value);
    }

    [Fact]
    public void Destroy_needs_r_for_children_and_snapshots()
    {
        using var t = new ZfsTestKernel();
        t.Create("tank/a/b");
        Ok(t.K.Syscalls.ZfsSnapshot(t.Host, "tank/a@s1"));
        var r = t.K.Syscalls.ZfsDestroy(t.Host, "tank/a");
        Fails(Errno.EEXIST, r, "filesystem has children");
        Assert.Contains("tank/a/b", r.Message!, StringComparison.Ordinal);
        Assert.Contains("tank/a@s1", r.Message!, StringComparison.Ordinal);
        Fails(Errno.EINVAL, t.K.Syscalls.ZfsDestroy(t.Host, "tank", recursive: true), "pools");
        Fails(Errno.ENOENT, t.K.Syscalls.ZfsDestroy(t.Host, "tank/a@nope"));
        Ok(t.K.Syscalls.ZfsDestroy(t.Host, "tank/a@s1"));
        Ok(t.K.Syscalls.ZfsDestroy(t.Host, "tank/a", recursive: true));
        Assert.Equal(["tank"], t.K.Syscalls.ZfsList(t.Host, includeSnapshots: true).Value.Select(x => x.Name));
    }

    [Fact]
    public void Snapshots_freeze_referenced_and_are_read_only()
    {
        using var t = new ZfsTestKernel();
        t.Create("tank/a");
        Ok(t.K.Syscalls.ZfsWrite(t.Host, "tank/a", "/f", 100));
        Ok(t.K.Syscalls.ZfsSnapshot(t.Host, "tank/a@s1"));
        Fails(Errno.EEXIST, t.K.Syscalls.ZfsSnapshot(t.Host, "tank/a@s1"));
        Fails(Errno.ENOENT, t.K.Syscalls.ZfsSnapshot(t.Host, "tank/none@s1"));
        Ok(t.K.Syscalls.ZfsWrite(t.Host, "tank/a", "/f", 50));
        Assert.Equal("100", t.Prop(t.Host, "tank/a@s1", "referenced"));
        Assert.Equal("150", t.Prop(t.Host, "tank/a", "referenced"));
        Assert.Equal("snapshot", t.Prop(t.Host, "tank/a@s1", "type"));
        Fails(Errno.EROFS, t.K.Syscalls.ZfsWrite(t.Host, "tank/a@s1", "/g", 1));
        Fails(Errno.EINVAL, t.K.Syscalls.ZfsSet(t.Host, "tank/a@s1", "quota", "1M"), "snapshots");
        Assert.Equal(["tank/a"], t.K.Syscalls.ZfsList(t.Host, "tank/a", recursive: true).Value.Select(x => x.Name));
        Assert.Equal(["tank/a", "tank/a@s1"], t.K.Syscalls.ZfsList(t.Host, "tank/a", recursive: true, includeSnapshots: true).Value.Select(x => x.Name));
    }

    [Fact]
    public void Rename_moves_descendants_and_snapshots()
    {
        using var t = new ZfsTestKernel();
        t.Create("tank/a/b");
        t.Create("tank/c");
        Ok(t.K.Syscalls.ZfsSnapshot(t.Host, "tank/a/b@s"));
        Ok(t.K.Syscalls.ZpoolCreate(t.Host, "other"));
        Fails(Errno.EEXIST, t.K.Syscalls.ZfsRename(t.Host, "tank/a", "tank/c"));
        Fails(Errno.EXDEV, t.K.Syscalls.ZfsRename(t.Host, "tank/a", "other/a"), "same pool");
        Fails(Errno.EINVAL, t.K.Syscalls.ZfsRename(t.Host, "tank/a", "tank/a/b/a"), "descendant");
        Fails(Errno.EINVAL, t.K.Syscalls.ZfsRename(t.Host, "tank/a/b@s", "tank/c@s"), "same dataset");
        Fails(Errno.ENOENT, t.K.Syscalls.ZfsRename(t.Host, "tank/a", "tank/x/y/z"), "does not exist");
        Ok(t.K.Syscalls.ZfsRename(t.Host, "tank/a", "tank/c/a"));
        Ok(t.K.Syscalls.ZfsRename(t.Host, "tank/c/a/b@s", "tank/c/a/b@t"));
        Assert.Equal(["other", "tank", "tank/c", "tank/c/a", "tank/c/a/b", "tank/c/a/b@t"],
            t.K.Syscalls.ZfsList(t.Host, includeSnapshots: true).Value.Select(x => x.Name));
    }

    [Fact]
    public void List_and_get_report_properties_with_their_source()
    {
        using var t = new ZfsTestKernel();
        t.Create("tank/srv", ("mountpoint", "/srv"));
        t.Create("tank/srv/www");
        Ok(t.K.Syscalls.ZfsWrite(t.Host, "tank/srv/www", "/index.html", 1000));
        Ok(t.K.Syscalls.ZfsWrite(t.Host, "tank/srv", "/readme", 24));
        var rows = t.K.Syscalls.ZfsList(t.Host, "tank/srv", recursive: true, properties: ["name", "used", "mountpoint"]).Value;
        Assert.Equal(["tank/srv", "1024", "/srv"], rows[0].Values.Select(v => v.Value));
        Assert.Equal(["tank/srv/www", "1000", "/srv/www"], rows[1].Values.Select(v => v.Value));
        var mp = t.K.Syscalls.ZfsGet(t.Host, "tank/srv/www", "mountpoint", "jailed", "quota").Value;
        Assert.Equal([("/srv/www", "inherited from tank/srv"), ("off", "default"), ("none", "default")], mp.Select(p => (p.Value, p.Source)));
        Assert.Equal(8, t.K.Syscalls.ZfsGet(t.Host, "tank/srv", "all").Value.Count);
        Fails(Errno.EINVAL, t.K.Syscalls.ZfsGet(t.Host, "tank/srv", "color"), "invalid property 'color'");
        Fails(Errno.EINVAL, t.K.Syscalls.ZfsList(t.Host, properties: ["color"]));
        Fails(Errno.EINVAL, t.K.Syscalls.ZfsSet(t.Host, "tank/srv", "mountpoint", "relative"), "absolute path");
        Fails(Errno.EINVAL, t.K.Syscalls.ZfsSet(t.Host, "tank/srv", "jailed", "maybe"), "on | off");
        Fails(Errno.EINVAL, t.K.Syscalls.ZfsSet(t.Host, "tank/srv", "mounted", "yes"), "readonly");
    }

    [Fact]
    public void Quota_limits_writes_with_EDQUOT()
    {
        using var t = new ZfsTestKernel();
        t.Create("tank/q", ("quota", "1K"));
        t.Create("tank/q/child");
        Ok(t.K.Syscalls.ZfsWrite(t.Host, "tank/q", "/a", 600));
        Fails(Errno.EDQUOT, t.K.Syscalls.ZfsWrite(t.Host, "tank/q/child", "/b", 500), "quota of 'tank/q'");
        Assert.Equal("600", t.Prop(t.Host, "tank/q", "used"));
        Ok(t.K.Syscalls.ZfsWrite(t.Host, "tank/q/child", "/b", 424));
        Fails(Errno.EDQUOT, t.K.Syscalls.ZfsWrite(t.Host, "tank/q", "/a", 1));
        Fails(Errno.ENOSPC, t.K.Syscalls.ZfsSet(t.Host, "tank/q", "quota", "512"), "less than current used");
        Ok(t.K.Syscalls.ZfsRemoveFile(t.Host, "tank/q", "/a"));
        Fails(Errno.ENOENT, t.K.Syscalls.ZfsRemoveFile(t.Host, "tank/q", "/a"));
        Ok(t.K.Syscalls.ZfsWrite(t.Host, "tank/q", "/c", 600));
        Ok(t.K.Syscalls.ZfsSet(t.Host, "tank/q", "quota", "none"));
        Ok(t.K.Syscalls.ZfsWrite(t.Host, "tank/q", "/d", 1L << 20));
        Fails(Errno.EINVAL, t.K.Syscalls.ZfsWrite(t.Host, "tank/q", "/d", -1));
    }

    [Fact]
    public void A_jail_is_held_to_the_quota_of_its_dataset()
    {
        using var t = new ZfsTestKernel();
        var pg = t.Jail("pg");
        t.Delegate("tank/pg1", pg);
        Ok(t.K.Syscalls.ZfsSet(t.Host, "tank/pg1", "quota", "10K"));
        var root = t.RootIn(pg);
        Ok(t.K.Syscalls.ZfsCreate(root, "tank/pg1/db", properties: [new("quota", "4K")]));
        Fails(Errno.EDQUOT, t.K.Syscalls.ZfsWrite(root, "tank/pg1/db", "/wal", 5000));
        Ok(t.K.Syscalls.ZfsWrite(root, "tank/pg1/db", "/wal", 4096));
        Ok(t.K.Syscalls.ZfsWrite(root, "tank/pg1", "/big", 6144));
        Fails(Errno.EDQUOT, t.K.Syscalls.ZfsWrite(root, "tank/pg1", "/more", 1));
        Fails(Errno.EPERM, t.K.Syscalls.ZfsWrite(root, "tank", "/escape", 1));
    }
}
