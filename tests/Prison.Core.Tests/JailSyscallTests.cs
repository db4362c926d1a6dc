using Prison.Core.Jails;
using Prison.Core.Procs;

namespace Prison.Core.Tests;

/// <summary>jail_set / jail_get / jail_attach / jail_remove: privileges, visibility, bad input.</summary>
public class JailSyscallTests
{
    [Theory]
    [InlineData("bogus", "1", Errno.ENOENT, "unknown parameter: bogus")]
    [InlineData("sysvshm", "new", Errno.ENOENT, "unknown parameter: sysvshm")]
    [InlineData("children.max", "-1", Errno.EINVAL, "children.max: must not be negative")]
    [InlineData("children.max", "many", Errno.EINVAL, "children.max: invalid value \"many\"")]
    [InlineData("enforce_statfs", "3", Errno.EINVAL, "enforce_statfs: must be 0, 1 or 2")]
    [InlineData("persist", "maybe", Errno.EINVAL, "persist: invalid value \"maybe\"")]
    [InlineData("jid", "0", Errno.EINVAL, "jid 0 is the host and cannot be set")]
    [InlineData("jid", "1000000", Errno.EINVAL, "jid out of range")]
    [InlineData("children.cur", "1", Errno.EINVAL, "children.cur: parameter is read-only")]
    public void Bad_input_gives_a_clear_error_and_changes_nothing(string param, string value, Errno errno, string message)
    {
        using var k = new Kernel();
        var r = k.TryCreate(k.Init, ("name", "a"), ("persist", null), (param, value));
        Assert.Equal(errno, r.Error);
        Assert.Equal(message, r.Message);
        Assert.Empty(k.Jails.List(k.Prison0));
        Assert.Equal(0, k.Prison0.ChildrenCur);
    }

    [Theory]
    [InlineData("a..b", Errno.EINVAL)]
    [InlineData(".a", Errno.EINVAL)]
    [InlineData("a.", Errno.EINVAL)]
    [InlineData("missing.child", Errno.ENOENT)]
    [InlineData("0", Errno.EINVAL)]
    [InlineData("012", Errno.EINVAL)]
    [InlineData("a.12", Errno.ENOENT)]
    [InlineData("has space", Errno.EINVAL)]
    [InlineData("", Errno.EINVAL)]
    public void Bad_names_are_refused(string name, Errno errno)
    {
        using var k = new Kernel();
        var r = k.TryCreate(k.Init, ("name", name), ("persist", null));
        Assert.Equal(errno, r.Error);
        Assert.Empty(k.Jails.List(k.Prison0));
    }

    [Fact]
    public void Numeric_name_equal_to_the_jid_is_allowed()
    {
        using var k = new Kernel();
        var r = k.TryCreate(k.Init, ("jid", "12"), ("name", "12"), ("persist", null));
        Assert.True(r.Ok, r.ToString());
        Assert.Equal(12, r.Value);
    }

    [Fact]
    public void Jids_are_lowest_free_above_the_last_and_an_unnamed_jail_is_named_by_its_jid()
    {
        using var k = new Kernel();
        var a = k.Create("a");
        var b = k.Create("b");
        k.Syscalls.JailRemove(k.Init, a.Id);
        var c = k.Create("c");
        Assert.Equal(3, c.Id); // not 1: above the last handed out
        var r = k.TryCreate(k.Init, ("persist", null));
        Assert.Equal(4, r.Value);
        Assert.Equal("4", k.Jails.Find(4)!.Name);
        Assert.Equal(2, b.Id);
    }

    [Fact]
    public void Hierarchical_names_create_children_and_children_max_is_enforced()
    {
        using var k = new Kernel();
        var pg = k.Create("pg", ("children.max", "1"));
        var child = k.Create("pg.child");
        Assert.Same(pg, child.Parent);
        Assert.Equal("pg.child", child.Name);
        Assert.Equal(1, pg.ChildrenCur);
        Assert.Equal(2, k.Prison0.ChildrenCur);
        // The limit is counted on the caller's chain (kern_jail_set: for (tpr = mypr; ...)): the host
        // is not held to pg's children.max, root inside pg is.
        var r = k.TryCreate(k.Init, ("name", "pg.second"), ("persist", null));
        Assert.True(r.Ok, r.ToString());
        Assert.Equal(2, pg.ChildrenCur);
        var inside = k.TryCreate(k.RootIn(pg), ("name", "third"), ("persist", null));
        Assert.Equal(Errno.EPERM, inside.Error);
        Assert.Equal("prison limit exceeded", inside.Message);
        Assert.Equal(2, pg.ChildrenCur);
    }

    [Fact]
    public void Jailed_root_creates_children_within_children_max_and_names_them_relatively()
    {
        using var k = new Kernel();
        var pg = k.Create("pg", ("children.max", "2"));
        var inside = k.RootIn(pg);
        var r = k.TryCreate(inside, ("name", "web"), ("persist", null));
        Assert.True(r.Ok, r.ToString());
        var web = k.Jails.Find(r.Value)!;
        Assert.Equal("pg.web", web.Name);
        Assert.Equal("web", web.NameRelativeTo(pg));
        var nothing = k.Syscalls.JailGet(inside, new JailParams { ["jid"] = null });
        Assert.Equal(Errno.ENOENT, nothing.Error); // nothing names the jail
        var byName = k.Syscalls.JailGet(inside, new JailParams { ["name"] = "web", ["jid"] = null, ["parent"] = null });
        Assert.True(byName.Ok, byName.ToString());
        Assert.Equal(r.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), byName.Value["jid"]);
        Assert.Equal("0", byName.Value["parent"]); // the viewer's own jail shows as 0
    }

    [Fact]
    public void Jailed_root_without_children_max_cannot_create()
    {
        using var k = new Kernel();
        var pg = k.Create("pg");
        var r = k.TryCreate(k.RootIn(pg), ("name", "web"), ("persist", null));
        Assert.Equal(Errno.EPERM, r.Error);
    }

    [Fact]
    public void Non_root_cannot_create_attach_or_remove()
    {
        using var k = new Kernel();
        var a = k.Create("a");
        var user = k.UserIn(k.Prison0, 1001, 1001);
        Assert.Equal(Errno.EPERM, k.TryCreate(user, ("name", "b"), ("persist", null)).Error);
        Assert.Equal(Errno.EPERM, k.Syscalls.JailAttach(user, a.Id).Error);
        Assert.Equal(Errno.EPERM, k.Syscalls.JailRemove(user, a.Id));
        Assert.Equal(JailState.Alive, a.State);
    }

    [Fact]
    public void Jailed_root_cannot_see_or_touch_a_sibling_or_its_own_jail()
    {
        using var k = new Kernel();
        var a = k.Create("a", ("children.max", "1"));
        var b = k.Create("b");
        var inA = k.RootIn(a);
        Assert.Empty(k.Jails.List(a));
        Assert.Equal(Errno.ENOENT, k.Syscalls.JailGet(inA, new JailParams { ["jid"] = b.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) }).Error);
        Assert.Equal(Errno.ENOENT, k.Syscalls.JailGet(inA, new JailParams { ["name"] = "b" }).Error);
        Assert.Equal(Errno.EINVAL, k.Syscalls.JailRemove(inA, b.Id));
        Assert.Equal(Errno.EINVAL, k.Syscalls.JailRemove(inA, a.Id));
        Assert.Equal(Errno.EINVAL, k.Syscalls.JailAttach(k.RootIn(a), b.Id).Error);
        var upd = k.Syscalls.JailSet(inA, new JailParams { ["name"] = "b", ["host.hostname"] = "pwned" }, JailFlags.Update);
        Assert.Equal(Errno.ENOENT, upd.Error);
        Assert.Equal(JailState.Alive, b.State);
        Assert.NotEqual("pwned", b.HostName);
    }

    [Fact]
    public void A_jail_lists_only_its_descendants()
    {
        using var k = new Kernel();
        var a = k.Create("a", ("children.max", "5"));
        k.Create("a.x");
        k.Create("a.y");
        k.Create("b");
        Assert.Equal(["a.x", "a.y"], k.Jails.List(a).Select(j => j.Name));
        Assert.Equal(4, k.Jails.List(k.Prison0).Count);
    }

    [Fact]
    public void Lastjid_walks_the_visible_jails()
    {
        using var k = new Kernel();
        k.Create("a");
        k.Create("b");
        var seen = new List<string?>();
        var last = "0";
        while (k.Syscalls.JailGet(k.Init, new JailParams { ["lastjid"] = last, ["jid"] = null, ["name"] = null }) is { Ok: true } r)
        {
            seen.Add(r.Value["name"]);
            last = r.Value["jid"]!;
        }
        Assert.Equal(["a", "b"], seen);
    }

    [Fact]
    public void Create_of_an_existing_jail_is_EEXIST_and_update_of_a_missing_one_ENOENT()
    {
        using var k = new Kernel();
        k.Create("a");
        Assert.Equal(Errno.EEXIST, k.TryCreate(k.Init, ("name", "a"), ("persist", null)).Error);
        var r = k.Syscalls.JailSet(k.Init, new JailParams { ["name"] = "zz", ["persist"] = null }, JailFlags.Update);
        Assert.Equal(Errno.ENOENT, r.Error);
        Assert.Equal(Errno.EINVAL, k.Syscalls.JailSet(k.Init, new JailParams { ["name"] = "q" }, JailFlags.None).Error);
    }

    [Fact]
    public void Update_changes_parameters_and_create_or_update_creates_once()
    {
        using var k = new Kernel();
        var a = k.Create("a");
        var r = k.Syscalls.JailSet(k.Init, new JailParams { ["name"] = "a", ["host.hostname"] = "db.example", ["allow.mount"] = null }, JailFlags.Update);
        Assert.True(r.Ok, r.ToString());
        Assert.Equal("db.example", a.HostName);
        Assert.True(a.IsAllowed("allow.mount"));
        var both = k.Syscalls.JailSet(k.Init, new JailParams { ["name"] = "a", ["persist"] = null, ["allow.nomount"] = null }, JailFlags.Create | JailFlags.Update);
        Assert.Equal(a.Id, both.Value);
        Assert.False(a.IsAllowed("allow.mount"));
    }

    [Fact]
    public void Allow_flags_beyond_the_parents_are_refused_not_masked()
    {
        using var k = new Kernel();
        var p = k.Create("p", ("children.max", "1"));
        var r = k.TryCreate(k.Init, ("name", "p.c"), ("persist", null), ("allow.mount", "true"));
        Assert.Equal(Errno.EPERM, r.Error);
        Assert.Null(r.Message);
        Assert.Equal(0, p.ChildrenCur);
        var c = k.Create("p.c", ("allow.nomount", null));
        var up = k.Syscalls.JailSet(k.Init, new JailParams { ["name"] = "p.c", ["allow.raw_sockets"] = null }, JailFlags.Update);
        Assert.Equal(Errno.EPERM, up.Error);
        Assert.False(c.IsAllowed("allow.raw_sockets"));
    }

    [Fact]
    public void Enforce_statfs_cannot_go_below_the_parent()
    {
        using var k = new Kernel();
        k.Create("p", ("children.max", "1"), ("enforce_statfs", "1"));
        var r = k.TryCreate(k.Init, ("name", "p.c"), ("persist", null), ("enforce_statfs", "0"));
        Assert.Equal(Errno.EPERM, r.Error);
        var ok = k.Create("p.d");
        Assert.Equal(2, ok.EnforceStatfs);
    }

    [Fact]
    public void Mount_allowed_sysctl_is_the_default_for_new_jails()
    {
        using var k = new Kernel();
        Assert.Equal(Errno.OK, k.Sysctl.Write(k.Init.Cred, "security.jail.mount_allowed", "1"));
        Assert.True(k.Create("a").IsAllowed("allow.mount"));
        Assert.False(k.Create("b", ("allow.mount", "false")).IsAllowed("allow.mount"));
    }

    [Fact]
    public void Nonpersistent_jail_dies_with_its_last_process()
    {
        using var k = new Kernel();
        var p = k.Processes.Fork(k.Init).Value;
        var r = k.Syscalls.JailSet(p, new JailParams { ["name"] = "tmp" }, JailFlags.Create | JailFlags.Attach);
        Assert.True(r.Ok, r.ToString());
        var j = k.Jails.Find(r.Value)!;
        Assert.Same(j, p.Jail);
        var child = k.Processes.Fork(p).Value;
        k.Processes.Exit(p);
        Assert.Equal(JailState.Alive, j.State);
        k.Processes.Exit(child);
        Assert.Equal(JailState.Dead, j.State);
    }

    [Fact]
    public void Clearing_persist_on_an_empty_jail_kills_it()
    {
        using var k = new Kernel();
        var j = k.Create("a");
        var r = k.Syscalls.JailSet(k.Init, new JailParams { ["name"] = "a", ["nopersist"] = null }, JailFlags.Update);
        Assert.True(r.Ok, r.ToString());
        Assert.Equal(JailState.Dead, j.State);
    }

    [Fact]
    public void Jail_remove_kills_processes_and_removes_descendants()
    {
        using var k = new Kernel();
        var a = k.Create("a", ("children.max", "1"));
        var c = k.Create("a.c");
        var pa = k.RootIn(a);
        var pc = k.RootIn(c);
        Assert.Equal(Errno.OK, k.Syscalls.JailRemove(k.Init, a.Id));
        Assert.True(pa.HasExited);
        Assert.True(pc.HasExited);
        Assert.Equal(JailState.Dead, c.State);
        Assert.Equal(JailState.Dead, a.State);
        Assert.Equal(0, k.Prison0.ChildrenCur);
    }

    [Theory]
    [InlineData("threads")]
    [InlineData("shared-vm")]
    public void Jail_attach_refuses_multithreaded_or_vm_sharing_processes(string why)
    {
        using var k = new Kernel();
        var j = k.Create("a");
        var p = k.Processes.Fork(k.Init).Value;
        if (why == "threads")
            p.AddThread();
        else
            p.SharesAddressSpace = true;
        var r = k.Syscalls.JailAttach(p, j.Id);
        Assert.Equal(Errno.EBUSY, r.Error);
        Assert.Same(k.Prison0, p.Jail);
        Assert.Equal(1, j.UserReferences); // persist only
    }

    [Fact]
    public void Attach_to_a_missing_or_dying_jail_is_EINVAL()
    {
        using var k = new Kernel();
        var j = k.Create("a");
        Assert.True(j.TryHold(out var held));
        k.Syscalls.JailRemove(k.Init, j.Id);
        var p = k.Processes.Fork(k.Init).Value;
        Assert.Equal(Errno.EINVAL, k.Syscalls.JailAttach(p, j.Id).Error);
        Assert.Equal(Errno.EINVAL, k.Syscalls.JailAttach(p, 4242).Error);
        held.Dispose();
    }

    [Fact]
    public void A_dying_jails_name_and_jid_can_be_reused_and_the_dying_jail_is_renumbered()
    {
        using var k = new Kernel();
        var old = k.Create("a");
        Assert.True(old.TryHold(out var held));
        k.Syscalls.JailRemove(k.Init, old.Id);
        var fresh = k.Create("a");
        Assert.NotEqual(old.Id, fresh.Id);
        // Updating the dying jail by its jid: it is not found (FreeBSD 14+ never resurrects one).
        var up = k.Syscalls.JailSet(k.Init, new JailParams { ["jid"] = "1", ["host.hostname"] = "x" }, JailFlags.Update | JailFlags.Dying);
        Assert.Equal(Errno.ENOENT, up.Error);
        Assert.Equal("jail 1 not found", up.Message);
        var reuse = k.TryCreate(k.Init, ("jid", "1"), ("name", "b"), ("persist", null));
        Assert.Equal(1, reuse.Value);
        Assert.Equal(Jail.MaxJid, old.Id);
        Assert.Same(old, k.Jails.FindVisible(k.Prison0, Jail.MaxJid.ToString(System.Globalization.CultureInfo.InvariantCulture), includeDying: true));
        held.Dispose();
        Assert.Null(k.Jails.Find(Jail.MaxJid));
    }

    [Fact]
    public void Sysctls_answer_per_caller()
    {
        using var k = new Kernel();
        var j = k.Create("a");
        var inside = k.RootIn(j);
        Assert.Equal(0L, k.Sysctl.Read(k.Init.Cred, "security.jail.jailid").Value);
        Assert.Equal((long)j.Id, k.Sysctl.Read(inside.Cred, "security.jail.jailid").Value);
        Assert.Equal(1L, k.Sysctl.Read(inside.Cred, "security.jail.jailed").Value);
        Assert.Equal(Errno.EPERM, k.Sysctl.Write(inside.Cred, "security.jail.mount_allowed", "1"));
        Assert.Equal(Errno.ENOENT, k.Sysctl.Read(k.Init.Cred, "no.such.oid").Error);
        Assert.Equal(Errno.EINVAL, k.Sysctl.Write(k.Init.Cred, "security.jail.mount_allowed", "7"));
        Assert.Contains(k.Sysctl.List("security.jail.param"), n => n.Name == "security.jail.param.persist");
    }

    [Fact]
    public void Setuid_changes_the_effective_uid_and_only_a_real_root_can_return_to_root()
    {
        using var k = new Kernel();
        var p = k.Processes.Fork(k.Init).Value;
        Assert.Equal(Errno.OK, k.Processes.SetUid(p, 770));
        Assert.Equal(770u, p.Cred.Uid);
        Assert.Equal(Errno.EPERM, k.Processes.SetUid(p, 771)); // euid 770 holds no privilege
        Assert.Equal(Errno.OK, k.Processes.SetUid(p, 0));      // seteuid back to the real uid
        var user = k.UserIn(k.Prison0, 1001, 1001);
        Assert.Equal(Errno.EPERM, k.Processes.SetUid(user, 0));
    }

    [Fact]
    public void Signal_wakes_a_waiter_through_the_interrupt_token()
    {
        using var k = new Kernel();
        var p = k.Processes.Fork(k.Init).Value;
        var token = p.InterruptToken;
        Assert.False(token.IsCancellationRequested);
        p.Signal();
        Assert.True(token.IsCancellationRequested);
        Assert.False(p.InterruptToken.IsCancellationRequested); // re-armed for the next call
        k.Processes.Exit(p);
        Assert.True(p.InterruptToken.IsCancellationRequested); // an exited process is interrupted for good
    }

    [Fact]
    public void Ucred_privilege_table()
    {
        using var k = new Kernel();
        var j = k.Create("a");
        var hostRoot = Ucred.Root(k.Prison0);
        var jailRoot = Ucred.Root(j);
        Assert.Equal(Errno.OK, Priv.Check(hostRoot, Privilege.KldLoad));
        Assert.Equal(Errno.EPERM, Priv.Check(jailRoot, Privilege.KldLoad));
        Assert.Equal(Errno.OK, Priv.Check(jailRoot, Privilege.IpcAdmin));
        Assert.Equal(Errno.EPERM, Priv.Check(jailRoot, Privilege.ZfsJail));
        Assert.Equal(Errno.EPERM, Priv.Check(jailRoot with { Uid = 5 }, Privilege.IpcAdmin));
    }
}
