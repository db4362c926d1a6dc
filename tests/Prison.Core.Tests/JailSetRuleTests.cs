using System.Globalization;
using Prison.Core.Jails;

namespace Prison.Core.Tests;

/// <summary>The hierarchy rules of kern_jail_set, one test per rule (docs/cli.md lists them).</summary>
public class JailSetRuleTests
{
    [Fact]
    public void A_caller_whose_jail_may_not_have_children_gets_EPERM_without_a_message()
    {
        using var k = new Kernel();
        var n = k.Create("n");
        var r = k.TryCreate(k.RootIn(n), ("name", "c"), ("persist", null));
        Assert.Equal(Errno.EPERM, r.Error);
        Assert.Null(r.Message);
        Assert.Equal(0, n.ChildrenCur);
    }

    [Fact]
    public void Children_max_must_be_below_the_parents_from_inside_and_from_the_host()
    {
        using var k = new Kernel();
        var outer = k.Create("outer", ("children.max", "2"));
        var r = k.TryCreate(k.RootIn(outer), ("name", "same"), ("persist", null), ("children.max", "2"));
        Assert.Equal(Errno.EPERM, r.Error);
        Assert.Null(r.Message);
        Assert.Equal(0, outer.ChildrenCur);
        var h = k.Create("h", ("children.max", "2"));
        Assert.Equal(Errno.EPERM, k.TryCreate(k.Init, ("name", "h.same"), ("persist", null), ("children.max", "2")).Error);
        Assert.Equal(0, h.ChildrenCur);
        var below = k.Create("h.below", ("children.max", "1"));
        Assert.Equal(1, below.ChildrenMax);
        // An update is checked against the jail's parent as well.
        var up = k.Syscalls.JailSet(k.Init, new JailParams { ["name"] = "h.below", ["children.max"] = "5" }, JailFlags.Update);
        Assert.Equal(Errno.EPERM, up.Error);
        Assert.Equal(1, below.ChildrenMax);
        // prison0's limit is JAIL_MAX: a top-level jail's children.max must stay below it.
        Assert.Equal(Errno.EPERM, k.TryCreate(k.Init, ("name", "top"), ("persist", null), ("children.max", Jail.MaxJid.ToString(CultureInfo.InvariantCulture))).Error);
    }

    [Fact]
    public void Enforce_statfs_below_the_parents_is_EPERM_on_create_and_update()
    {
        using var k = new Kernel();
        k.Create("p", ("children.max", "2"), ("enforce_statfs", "1"));
        var c = k.Create("p.c", ("enforce_statfs", "1"));
        var up = k.Syscalls.JailSet(k.Init, new JailParams { ["name"] = "p.c", ["enforce_statfs"] = "0" }, JailFlags.Update);
        Assert.Equal(Errno.EPERM, up.Error);
        Assert.Null(up.Message);
        Assert.Equal(1, c.EnforceStatfs);
    }

    [Fact]
    public void An_update_passes_children_max_enforce_statfs_and_cleared_allow_flags_down()
    {
        using var k = new Kernel();
        var a = k.Create("a", ("children.max", "10"), ("enforce_statfs", "0"), ("allow.mount", null), ("allow.raw_sockets", null));
        var b = k.Create("a.b", ("children.max", "8"), ("enforce_statfs", "0"), ("allow.mount", null), ("allow.raw_sockets", null));
        var c = k.Create("a.b.c", ("children.max", "7"), ("enforce_statfs", "1"), ("allow.mount", null));
        var r = k.Syscalls.JailSet(k.Init, new JailParams { ["name"] = "a", ["children.max"] = "3", ["enforce_statfs"] = "1", ["allow.nomount"] = null }, JailFlags.Update);
        Assert.True(r.Ok, r.ToString());
        Assert.Equal(3, a.ChildrenMax);
        Assert.Equal(2, b.ChildrenMax); // at most 3 - 1
        Assert.Equal(1, c.ChildrenMax); // at most 3 - 2
        Assert.Equal(1, b.EnforceStatfs);
        Assert.Equal(1, c.EnforceStatfs);
        Assert.False(b.IsAllowed("allow.mount"));
        Assert.False(c.IsAllowed("allow.mount"));
        Assert.True(b.IsAllowed("allow.raw_sockets")); // not named in the update: untouched

        // Deep enough, the limit reaches 0.
        k.Syscalls.JailSet(k.Init, new JailParams { ["name"] = "a", ["children.max"] = "1" }, JailFlags.Update);
        Assert.Equal(0, b.ChildrenMax);
        Assert.Equal(0, c.ChildrenMax);
    }

    [Fact]
    public void A_numeric_name_names_the_jid_on_a_plain_create_and_is_refused_otherwise()
    {
        using var k = new Kernel();
        var r = k.TryCreate(k.Init, ("name", "5309"), ("persist", null));
        Assert.Equal(5309, r.Value);
        Assert.Equal("5309", k.Jails.Find(5309)!.Name);
        var zero = k.TryCreate(k.Init, ("name", "0"), ("persist", null));
        Assert.Equal(Errno.EINVAL, zero.Error);
        Assert.Equal("name cannot be numeric (unless it is the jid)", zero.Message);
        Assert.Equal(Errno.EINVAL, k.TryCreate(k.Init, ("name", "7"), ("jid", "8"), ("persist", null)).Error);
        // CREATE | UPDATE does not take the jid from the name.
        var both = k.Syscalls.JailSet(k.Init, new JailParams { ["name"] = "44", ["persist"] = null }, JailFlags.Create | JailFlags.Update);
        Assert.Equal(Errno.EINVAL, both.Error);
        Assert.Single(k.Jails.List(k.Prison0));
    }

    [Fact]
    public void An_update_by_jid_cannot_move_the_jail_to_another_parent()
    {
        using var k = new Kernel();
        k.Create("p", ("children.max", "2"));
        k.Create("q", ("children.max", "2"));
        var c = k.Create("p.c");
        var r = k.Syscalls.JailSet(k.Init, new JailParams { ["jid"] = c.Id.ToString(CultureInfo.InvariantCulture), ["name"] = "q.c" }, JailFlags.Update);
        Assert.Equal(Errno.EINVAL, r.Error);
        Assert.Equal("cannot change jail's parent", r.Message);
    }

    [Fact]
    public void A_child_of_a_dying_parent_cannot_be_created()
    {
        using var k = new Kernel();
        var p = k.Create("p", ("children.max", "2"));
        Assert.True(p.TryHold(out var held));
        k.Syscalls.JailRemove(k.Init, p.Id);
        var r = k.TryCreate(k.Init, ("name", "p.c"), ("persist", null));
        Assert.Equal(Errno.ENOENT, r.Error);
        Assert.Equal("jail \"p\" is dying", r.Message);
        held.Dispose();
    }

    [Fact]
    public void A_caller_in_a_dying_jail_gets_EAGAIN()
    {
        using var k = new Kernel();
        var p = k.Create("p", ("children.max", "2"));
        var inside = k.RootIn(p);
        k.Syscalls.JailSet(k.Init, new JailParams { ["name"] = "p", ["nopersist"] = null }, JailFlags.Update);
        Assert.True(p.TryHold(out var held));
        k.Syscalls.JailRemove(k.Init, p.Id);
        Assert.Equal(Errno.EAGAIN, k.TryCreate(inside, ("name", "c"), ("persist", null)).Error);
        held.Dispose();
    }

    [Fact]
    public void An_update_by_jid_renames_the_jail_and_its_descendants()
    {
        using var k = new Kernel();
        var p = k.Create("p", ("children.max", "3"));
        var c = k.Create("p.c", ("children.max", "1"));
        var d = k.Create("p.c.d");
        k.Create("q");
        var r = k.Syscalls.JailSet(k.Init, new JailParams { ["jid"] = p.Id.ToString(CultureInfo.InvariantCulture), ["name"] = "r" }, JailFlags.Update);
        Assert.True(r.Ok, r.ToString());
        Assert.Equal("r", p.Name);
        Assert.Equal("r.c", c.Name);
        Assert.Equal("r.c.d", d.Name);
        Assert.Same(d, k.Jails.FindVisible(k.Prison0, "r.c.d"));
        Assert.Null(k.Jails.FindVisible(k.Prison0, "p"));
        Assert.Equal("c.d", d.NameRelativeTo(p));
        // The old name is free again; a name an alive sibling holds is not.
        k.Create("p");
        var taken = k.Syscalls.JailSet(k.Init, new JailParams { ["jid"] = p.Id.ToString(CultureInfo.InvariantCulture), ["name"] = "q" }, JailFlags.Update);
        Assert.Equal(Errno.EEXIST, taken.Error);
        Assert.Equal("jail \"q\" already exists", taken.Message);
        Assert.Equal("r", p.Name);
        var numeric = k.Syscalls.JailSet(k.Init, new JailParams { ["jid"] = c.Id.ToString(CultureInfo.InvariantCulture), ["name"] = "r.7" }, JailFlags.Update);
        Assert.Equal(Errno.EINVAL, numeric.Error);
        Assert.Equal("r.c", c.Name);
        var tooLong = k.Syscalls.JailSet(k.Init, new JailParams { ["jid"] = c.Id.ToString(CultureInfo.InvariantCulture), ["name"] = "r." + new string('x', 252) }, JailFlags.Update);
        Assert.Equal(Errno.ENAMETOOLONG, tooLong.Error); // r.xxx...x.d would pass 255
        Assert.Equal("r.c.d", d.Name);
    }

    [Fact]
    public void A_new_hostname_reaches_the_descendants_that_inherit_it_and_stops_at_one_with_its_own()
    {
        using var k = new Kernel();
        var a = k.Create("a", ("children.max", "3"), ("host.hostname", "a.example"));
        var b = k.Create("a.b", ("children.max", "2"), ("host", "inherit"));
        var c = k.Create("a.b.c", ("host", "inherit"));
        var own = k.Create("a.own", ("host.hostname", "own.example"));
        Assert.Equal("a.example", c.HostName);
        var r = k.Syscalls.JailSet(k.Init, new JailParams { ["name"] = "a", ["host.hostname"] = "new.example" }, JailFlags.Update);
        Assert.True(r.Ok, r.ToString());
        Assert.Equal("new.example", b.HostName);
        Assert.Equal("new.example", c.HostName);
        Assert.Equal("own.example", own.HostName);
        Assert.Equal("inherit", k.Syscalls.JailGet(k.Init, new JailParams { ["name"] = "a.b", ["host"] = null }).Value["host"]);

        // Giving b a name of its own stops the descent there; c still follows b.
        k.Syscalls.JailSet(k.Init, new JailParams { ["name"] = "a.b", ["host.hostname"] = "b.example" }, JailFlags.Update);
        k.Syscalls.JailSet(k.Init, new JailParams { ["name"] = "a", ["host.hostname"] = "third.example" }, JailFlags.Update);
        Assert.Equal("b.example", b.HostName);
        Assert.Equal("b.example", c.HostName);
        Assert.Equal("new", k.Syscalls.JailGet(k.Init, new JailParams { ["name"] = "a.b", ["host"] = null }).Value["host"]);

        // kern.hostname from c (inheriting) sets b, the nearest jail with its own, and c with it.
        k.Syscalls.JailSet(k.Init, new JailParams { ["name"] = "a.b.c", ["allow.set_hostname"] = null }, JailFlags.Update);
        Assert.Equal(Errno.EPERM, k.Sysctl.Write(k.RootIn(c).Cred, "kern.hostname", "x"));
        k.Syscalls.JailSet(k.Init, new JailParams { ["name"] = "a", ["allow.set_hostname"] = null }, JailFlags.Update);
        k.Syscalls.JailSet(k.Init, new JailParams { ["name"] = "a.b", ["allow.set_hostname"] = null }, JailFlags.Update);
        k.Syscalls.JailSet(k.Init, new JailParams { ["name"] = "a.b.c", ["allow.set_hostname"] = null }, JailFlags.Update);
        Assert.Equal(Errno.OK, k.Sysctl.Write(k.RootIn(c).Cred, "kern.hostname", "shared.example"));
        Assert.Equal("shared.example", b.HostName);
        Assert.Equal("shared.example", c.HostName);
        Assert.Equal("third.example", a.HostName);
    }

    [Fact]
    public void A_refused_set_leaves_the_name_and_the_descendants_as_they_were()
    {
        using var k = new Kernel();
        k.Services.Register(new Services.JailServiceDefinition<object>
        {
            Name = "refuser",
            Create = (_, _) => new object(),
            Set = (in Services.JailMethodArgs<object> a) => a.Params["refuser.level"] == "13" ? Errno.EINVAL : Errno.OK,
            Parameters = [new JailParameterDefinition("refuser.level", JailParamType.Int, "refused at 13")],
        });
        var a = k.Create("a", ("children.max", "3"), ("allow.mount", null));
        var b = k.Create("a.b", ("children.max", "2"), ("allow.mount", null));
        var r = k.Syscalls.JailSet(k.Init, new JailParams
        {
            ["jid"] = a.Id.ToString(CultureInfo.InvariantCulture),
            ["name"] = "z",
            ["children.max"] = "1",
            ["allow.nomount"] = null,
            ["refuser.level"] = "13",
        }, JailFlags.Update);
        Assert.Equal(Errno.EINVAL, r.Error);
        Assert.Equal("a", a.Name);
        Assert.Equal("a.b", b.Name);
        Assert.Same(b, k.Jails.FindVisible(k.Prison0, "a.b"));
        Assert.Null(k.Jails.FindVisible(k.Prison0, "z"));
        Assert.Equal(2, b.ChildrenMax);
        Assert.True(b.IsAllowed("allow.mount"));
    }
}
