using Prison.Core;
using Prison.Core.Procs;
using Prison.Core.Zfs;
using static Prison.ZfsDataset.Tests.ZfsTestKernel;

namespace Prison.ZfsDataset.Tests;

/// <summary>
/// Who sees what (OpenZFS <c>zone_dataset_visible</c>): (host / jail with the dataset / sibling jail /
/// child jail) x (attached / descendant / ancestor / unrelated) x (list, get, set, create, destroy,
/// snapshot, mount, write).
/// </summary>
public class VisibilityMatrixTests
{
    private const string Attached = "tank/jails/pg1";
    private const string Descendant = "tank/jails/pg1/data";
    private const string Ancestor = "tank/jails";
    private const string Unrelated = "tank/other";

    public enum Who { Host, Owner, Sibling, Child }

    /// <summary>
    /// pg (may mount zfs) has tank/jails/pg1 attached; web has tank/jails/web1; pg.sub is pg's child;
    /// tank/other is jailed but attached to nobody.
    /// </summary>
    private static (ZfsTestKernel T, Proc Caller) Setup(Who who)
    {
        var t = new ZfsTestKernel();
        var pg = t.Jail("pg", ("allow.mount", "1"), ("allow.mount.zfs", "1"), ("enforce_statfs", "1"), ("children.max", "1"));
        var web = t.MountingJail("web");
        var sub = t.Jail("pg.sub", ("allow.mount", "1"), ("allow.mount.zfs", "1"), ("enforce_statfs", "1"));
        t.Create(Ancestor);
        t.Delegate(Attached, pg);
        t.Create(Descendant);
        t.Delegate("tank/jails/web1", web);
        t.Create(Unrelated, ("jailed", "on"));
        var caller = who switch
        {
            Who.Host => t.Host,
            Who.Owner => t.RootIn(pg),
            Who.Sibling => t.RootIn(web),
            _ => t.RootIn(sub),
        };
        return (t, caller);
    }

    private static Errno Run(ZfsTestKernel t, Proc p, string op, string target) => op switch
    {
        "list" => t.K.Syscalls.ZfsList(p, target).Error,
        "get" => t.K.Syscalls.ZfsGet(p, target, "mountpoint").Error,
        "set" => t.K.Syscalls.ZfsSet(p, target, "mountpoint", "/srv/x").Error,
        "create" => t.K.Syscalls.ZfsCreate(p, target + "/new").Error,
        "destroy" => t.K.Syscalls.ZfsDestroy(p, target, recursive: true).Error,
        "snapshot" => t.K.Syscalls.ZfsSnapshot(p, target + "@s1").Error,
        "mount" => t.K.Syscalls.ZfsMount(p, target).Error,
        "write" => t.K.Syscalls.ZfsWrite(p, target, "/f", 10).Error,
        _ => throw new ArgumentOutOfRangeException(nameof(op)),
    };

    public static TheoryData<Who, string, string, Errno> Matrix()
    {
        var data = new TheoryData<Who, string, string, Errno>();
        string[] ops = ["list", "get", "set", "create", "destroy", "snapshot", "mount", "write"];
        foreach (var op in ops)
        {
            // The jail the dataset is delegated to.
            data.Add(Who.Owner, op, Attached, op == "destroy" ? Errno.EPERM : Errno.OK);
            data.Add(Who.Owner, op, Descendant, Errno.OK);
            data.Add(Who.Owner, op, Ancestor, op is "list" or "get" ? Errno.OK : Errno.EPERM);
            data.Add(Who.Owner, op, Unrelated, Errno.ENOENT);
            // A sibling sees the common ancestor read-only and nothing of pg's.
            data.Add(Who.Sibling, op, Attached, Errno.ENOENT);
            data.Add(Who.Sibling, op, Descendant, Errno.ENOENT);
            data.Add(Who.Sibling, op, Ancestor, op is "list" or "get" ? Errno.OK : Errno.EPERM);
            data.Add(Who.Sibling, op, Unrelated, Errno.ENOENT);
            // A child jail does not inherit its parent's datasets.
            foreach (var target in new[] { Attached, Descendant, Ancestor, Unrelated })
                data.Add(Who.Child, op, target, Errno.ENOENT);
            // The host manages everything, but does not mount a jailed dataset.
            foreach (var target in new[] { Attached, Descendant, Ancestor, Unrelated })
                data.Add(Who.Host, op, target, op == "mount" && target != Ancestor ? Errno.EPERM : Errno.OK);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    public void Operation_result(Who who, string op, string target, Errno expected)
    {
        var (t, caller) = Setup(who);
        using (t)
            Assert.Equal(expected, Run(t, caller, op, target));
    }

    [Fact]
    public void Jail_lists_its_datasets_and_their_ancestors_only()
    {
        var (t, pg) = Setup(Who.Owner);
        using (t)
        {
            Assert.Equal(["tank", "tank/jails", "tank/jails/pg1", "tank/jails/pg1/data"], t.K.Syscalls.ZfsList(pg).Value.Select(r => r.Name));
            Assert.Equal(["tank/jails", "tank/jails/pg1", "tank/jails/pg1/data"], t.K.Syscalls.ZfsList(pg, "tank/jails", recursive: true).Value.Select(r => r.Name));
            Assert.Equal(["tank"], t.K.Syscalls.ZpoolList(pg).Value);
            Assert.Equal(6, t.K.Syscalls.ZfsList(t.Host).Value.Count);
        }
    }

    [Fact]
    public void Child_jail_sees_no_dataset_at_all()
    {
        var (t, sub) = Setup(Who.Child);
        using (t)
        {
            Assert.Empty(t.K.Syscalls.ZfsList(sub).Value);
            Assert.Empty(t.K.Syscalls.ZpoolList(sub).Value);
        }
    }

    [Fact]
    public void An_invisible_dataset_and_a_missing_one_fail_the_same_way()
    {
        var (t, pg) = Setup(Who.Owner);
        using (t)
        {
            var invisible = t.K.Syscalls.ZfsDestroy(pg, Unrelated);
            var missing = t.K.Syscalls.ZfsDestroy(pg, "tank/nothing");
            Assert.Equal((Errno.ENOENT, "cannot destroy 'tank/other': dataset does not exist"), (invisible.Error, invisible.Message));
            Assert.Equal((Errno.ENOENT, "cannot destroy 'tank/nothing': dataset does not exist"), (missing.Error, missing.Message));
            // Creating next to an invisible dataset from a read-only ancestor is EPERM, whether or not it exists.
            Fails(Errno.EPERM, t.K.Syscalls.ZfsCreate(pg, "tank/other2"));
            Fails(Errno.EPERM, t.K.Syscalls.ZfsCreate(pg, "tank/other"));
        }
    }

    [Fact]
    public void Jailed_root_manages_below_its_dataset()
    {
        var (t, pg) = Setup(Who.Owner);
        using (t)
        {
            Ok(t.K.Syscalls.ZfsCreate(pg, Attached + "/a/b", parents: true));
            Ok(t.K.Syscalls.ZfsSnapshot(pg, Attached + "/a@before"));
            Fails(Errno.EEXIST, t.K.Syscalls.ZfsDestroy(pg, Attached + "/a"), "filesystem has children");
            Ok(t.K.Syscalls.ZfsRename(pg, Attached + "/a/b", Attached + "/b"));
            Ok(t.K.Syscalls.ZfsDestroy(pg, Attached + "/a", recursive: true));
            Ok(t.K.Syscalls.ZfsDestroy(pg, Attached + "/b"));
            Fails(Errno.EPERM, t.K.Syscalls.ZfsRename(pg, Attached, "tank/jails/pg9"));
            Fails(Errno.EPERM, t.K.Syscalls.ZfsRename(pg, Descendant, "tank/jails/escaped"));
            Fails(Errno.ENOENT, t.K.Syscalls.ZfsRename(pg, Descendant, "tank/other/escaped"));
            Fails(Errno.EPERM, t.K.Syscalls.ZfsCreate(t.UserIn(t.K.Jails.FindVisible(t.K.Prison0, "pg")!, 1001), Attached + "/user"));
        }
    }

    [Fact]
    public void Jailed_property_cannot_be_changed_from_the_jail()
    {
        var (t, pg) = Setup(Who.Owner);
        using (t)
        {
            Fails(Errno.EPERM, t.K.Syscalls.ZfsSet(pg, Attached, "jailed", "off"), "'jailed' cannot be changed from within a jail");
            Fails(Errno.EPERM, t.K.Syscalls.ZfsSet(pg, Descendant, "jailed", "off"));
            Fails(Errno.EPERM, t.K.Syscalls.ZfsCreate(pg, Attached + "/x", properties: [new("jailed", "off")]));
            Assert.Equal("on", t.Prop(t.Host, Descendant, "jailed"));
            Ok(t.K.Syscalls.ZfsSet(t.Host, Descendant, "jailed", "off"));
            // A dataset that is not jailed is visible to the jail but no longer its to change.
            Fails(Errno.EPERM, t.K.Syscalls.ZfsSet(pg, Descendant, "mountpoint", "/x"), "not jailed");
        }
    }

    [Fact]
    public void A_jail_cannot_raise_the_quota_it_was_given()
    {
        var (t, pg) = Setup(Who.Owner);
        using (t)
        {
            Ok(t.K.Syscalls.ZfsSet(t.Host, Attached, "quota", "1M"));
            Fails(Errno.EPERM, t.K.Syscalls.ZfsSet(pg, Attached, "quota", "none"), "quota");
            Ok(t.K.Syscalls.ZfsSet(pg, Descendant, "quota", "512K"));
            Assert.Equal("524288", t.Prop(pg, Descendant, "quota"));
            Assert.Equal("1048576", t.Prop(pg, Attached, "quota"));
        }
    }
}
