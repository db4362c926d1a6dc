using System.Globalization;
using Prison.Core.Descriptors;
using Prison.Core.Jails;

namespace Prison.Core.Tests;

/// <summary>Jail descriptors: FreeBSD's tests/sys/kern/jaildesc.c translated, plus this model's extras.</summary>
public class JailDescriptorTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    /// <summary>create_jail(): a persistent jail and an owning descriptor for it.</summary>
    private static (int Fd, Jail Jail) CreateOwned(Kernel k, Procs.Proc p, string name)
    {
        var ps = new JailParams { ["name"] = name, ["persist"] = null, ["desc"] = "-1" };
        var r = k.Syscalls.JailSet(p, ps, JailFlags.Create | JailFlags.OwnDesc);
        Assert.True(r.Ok, r.ToString());
        return (int.Parse(ps["desc"]!, CultureInfo.InvariantCulture), k.Jails.Find(r.Value)!);
    }

    [Fact]
    public async Task Poll_close_race_reports_nval()
    {
        using var k = new Kernel();
        var (fd, _) = CreateOwned(k, k.Init, "poll_close_race");
        var poll = k.Init.Files.PollAsync(fd);
        Assert.False(poll.IsCompleted);
        Assert.Equal(Errno.OK, k.Init.Files.Close(fd));
        Assert.Equal(PollEvents.Nval, await poll.WaitAsync(Patience));
    }

    [Fact]
    public async Task Poll_remove_wakeup_reports_hup()
    {
        using var k = new Kernel();
        var (fd, jail) = CreateOwned(k, k.Init, "poll_remove_wakeup");
        var poll = k.Init.Files.PollAsync(fd);
        Assert.Equal(Errno.OK, k.Syscalls.JailRemoveJd(k.Init, fd));
        Assert.Equal(PollEvents.Hup, await poll.WaitAsync(Patience));
        Assert.Equal(JailState.Dying, jail.State); // the descriptor still holds it
        Assert.Equal(Errno.OK, k.Init.Files.Close(fd));
        Assert.Equal(JailState.Dead, jail.State);
    }

    [Fact]
    public async Task Unprivileged_get_desc_then_close_while_polling()
    {
        using var k = new Kernel();
        var (owning, jail) = CreateOwned(k, k.Init, "poll_close_get_desc");
        var nobody = k.UserIn(k.Prison0, 65534, 65534);
        var got = k.Syscalls.JailGet(nobody, new JailParams { ["name"] = "poll_close_get_desc", ["desc"] = "-1" }, JailFlags.GetDesc);
        Assert.True(got.Ok, got.ToString());
        var fd = int.Parse(got.Value["desc"]!, CultureInfo.InvariantCulture);
        // The descriptor carries nobody's credential: it cannot be used to remove the jail.
        Assert.Equal(Errno.EPERM, k.Syscalls.JailRemoveJd(nobody, fd));
        var poll = nobody.Files.PollAsync(fd);
        nobody.Files.Close(fd);
        Assert.Equal(PollEvents.Nval, await poll.WaitAsync(Patience));
        Assert.Equal(JailState.Alive, jail.State);
        k.Init.Files.Close(owning);
        Assert.Equal(JailState.Dead, jail.State);
    }

    [Fact]
    public void Unprivileged_process_cannot_get_an_owning_descriptor()
    {
        using var k = new Kernel();
        CreateOwned(k, k.Init, "j");
        var nobody = k.UserIn(k.Prison0, 65534, 65534);
        var got = k.Syscalls.JailGet(nobody, new JailParams { ["name"] = "j", ["desc"] = "-1" }, JailFlags.OwnDesc);
        Assert.Equal(Errno.EPERM, got.Error);
    }

    [Fact]
    public void Curjail_get_a_jailed_process_cannot_get_a_descriptor_for_its_own_jail()
    {
        using var k = new Kernel();
        var (fd, jail) = CreateOwned(k, k.Init, "curjail");
        var p = k.Processes.Fork(k.Init).Value;
        Assert.Equal(Errno.OK, k.Syscalls.JailAttach(p, jail.Id).Error);
        foreach (var flag in new[] { JailFlags.GetDesc, JailFlags.OwnDesc })
        {
            var r = k.Syscalls.JailGet(p, new JailParams { ["name"] = "curjail", ["desc"] = "-1" }, flag);
            Assert.False(r.Ok);
        }
        k.Init.Files.Close(fd);
    }

    [Fact]
    public void Self_destruct_closing_the_last_owning_descriptor_from_inside_kills_the_closer()
    {
        using var k = new Kernel();
        var (fd, jail) = CreateOwned(k, k.Init, "self_destruct");
        var child = k.Processes.Fork(k.Init).Value; // inherits the descriptor
        Assert.True(k.Syscalls.JailAttachJd(child, fd).Ok);
        Assert.Same(jail, child.Jail);
        Assert.Equal(Errno.OK, k.Init.Files.Close(fd)); // the child still holds a reference
        Assert.Equal(JailState.Alive, jail.State);
        Assert.Equal(Errno.OK, child.Files.Close(fd));  // the last close removes the jail...
        Assert.True(child.HasExited);                   // ...and kills the process inside it
        Assert.Equal(JailState.Dead, jail.State);
    }

    [Fact]
    public void At_desc_with_a_non_jail_descriptor_is_EINVAL_and_leaks_nothing()
    {
        using var k = new Kernel();
        var (fd, jail) = CreateOwned(k, k.Init, "at_desc_bad_fd");
        var child = k.Processes.Fork(k.Init).Value;
        Assert.True(k.Syscalls.JailAttachJd(child, fd).Ok);
        var refs = jail.References;
        for (var i = 0; i < 100; i++)
        {
            var r = k.Syscalls.JailGet(child, new JailParams { ["name"] = "nonexistent", ["desc"] = "0" }, JailFlags.AtDesc);
            Assert.Equal(Errno.EINVAL, r.Error);
        }
        Assert.Equal(refs, jail.References);
        k.Processes.Exit(child);
        k.Init.Files.Close(fd);
        Assert.Equal(JailState.Dead, jail.State);
    }

    [Theory]
    [InlineData(JailFlags.UseDesc | JailFlags.AtDesc, "3", Errno.EINVAL)]
    [InlineData(JailFlags.GetDesc | JailFlags.OwnDesc, "-1", Errno.EINVAL)]
    [InlineData(JailFlags.None, "-1", Errno.EINVAL)]
    [InlineData(JailFlags.UseDesc, "99", Errno.EBADF)]
    [InlineData(JailFlags.UseDesc, "1", Errno.EINVAL)]
    public void Descriptor_flag_errors(JailFlags descFlags, string desc, Errno expected)
    {
        using var k = new Kernel();
        CreateOwned(k, k.Init, "a"); // fd 3
        var r = k.Syscalls.JailSet(k.Init, new JailParams { ["name"] = "a", ["desc"] = desc, ["host.hostname"] = "x" }, JailFlags.Update | descFlags);
        Assert.Equal(expected, r.Error);
    }

    [Fact]
    public void Use_desc_with_create_only_is_EEXIST_and_a_mismatched_jid_EINVAL()
    {
        using var k = new Kernel();
        var (fd, jail) = CreateOwned(k, k.Init, "a");
        var other = k.Create("b");
        var fdText = fd.ToString(CultureInfo.InvariantCulture);
        Assert.Equal(Errno.EEXIST, k.Syscalls.JailSet(k.Init, new JailParams { ["desc"] = fdText, ["persist"] = null }, JailFlags.Create | JailFlags.UseDesc).Error);
        Assert.Equal(Errno.EINVAL, k.Syscalls.JailSet(k.Init, new JailParams { ["desc"] = fdText, ["jid"] = other.Id.ToString(CultureInfo.InvariantCulture) }, JailFlags.Update | JailFlags.UseDesc).Error);
        var ok = k.Syscalls.JailSet(k.Init, new JailParams { ["desc"] = fdText, ["host.hostname"] = "via.desc" }, JailFlags.Update | JailFlags.UseDesc);
        Assert.Equal(jail.Id, ok.Value);
        Assert.Equal("via.desc", jail.HostName);
    }

    [Fact]
    public void A_descriptor_never_reaches_a_new_jail_that_reuses_its_jid()
    {
        using var k = new Kernel();
        var ps = new JailParams { ["jid"] = "7", ["name"] = "old", ["persist"] = null, ["desc"] = "-1" };
        var made = k.Syscalls.JailSet(k.Init, ps, JailFlags.Create | JailFlags.GetDesc);
        Assert.True(made.Ok, made.ToString());
        var fd = int.Parse(ps["desc"]!, CultureInfo.InvariantCulture);
        var old = k.Jails.Find(made.Value)!;
        Assert.Equal(Errno.OK, k.Syscalls.JailRemove(k.Init, old.Id));
        // The descriptor holds the dying jail. A new jail 7 takes the jid and the dying jail is
        // renumbered (FreeBSD's get_next_deadid), so the stale descriptor never reaches the new jail
        // and operations through it answer ENOENT.
        Assert.Equal(JailState.Dying, old.State);
        var reborn = k.Create("new", ("jid", "7"));
        Assert.Equal(7, reborn.Id);
        Assert.Equal(Jail.MaxJid, old.Id);
        Assert.NotSame(old, reborn);

        var probe = k.Processes.Fork(k.Init).Value;
        var fdText = fd.ToString(CultureInfo.InvariantCulture);
        Assert.Equal(Errno.ENOENT, k.Syscalls.JailAttachJd(probe, fd).Error);
        Assert.Equal(Errno.ENOENT, k.Syscalls.JailGet(k.Init, new JailParams { ["desc"] = fdText, ["name"] = null }, JailFlags.UseDesc).Error);

        // The descriptor travels with the process that forked: close the copy so only one remains.
        probe.Files.Close(fd);
        k.Init.Files.Close(fd);
        Assert.Equal(JailState.Dead, old.State);
        Assert.Same(reborn, k.Jails.Find(7));
        Assert.Null(k.Jails.Find(Jail.MaxJid));
    }

    [Fact]
    public void An_unprivileged_holder_attaches_with_a_root_created_descriptor_but_not_with_its_own()
    {
        using var k = new Kernel();
        var (fd, jail) = CreateOwned(k, k.Init, "a");
        var user = k.UserIn(k.Prison0, 1001, 1001);
        Assert.Equal(Errno.EPERM, k.Syscalls.JailAttach(user, jail.Id).Error);
        var passed = k.Init.Files.Pass(fd, user.Files).Value;
        Assert.True(k.Syscalls.JailAttachJd(user, passed).Ok);
        Assert.Same(jail, user.Jail);

        var user2 = k.UserIn(k.Prison0, 1002, 1002);
        var own = k.Syscalls.JailGet(user2, new JailParams { ["name"] = "a", ["desc"] = "-1" }, JailFlags.GetDesc);
        var ownFd = int.Parse(own.Value["desc"]!, CultureInfo.InvariantCulture);
        Assert.Equal(Errno.EPERM, k.Syscalls.JailAttachJd(user2, ownFd).Error);
    }

    [Fact]
    public void Rights_only_shrink_and_a_missing_right_is_ENOTCAPABLE()
    {
        using var k = new Kernel();
        var (fd, jail) = CreateOwned(k, k.Init, "a");
        var jd = (JailDescriptor)k.Init.Files.Get(fd)!;
        Assert.Equal(Errno.OK, jd.Limit(JailDescRights.Attach));
        Assert.Equal(Errno.ENOTCAPABLE, jd.Limit(JailDescRights.Attach | JailDescRights.Remove));
        Assert.Equal(Errno.ENOTCAPABLE, k.Syscalls.JailRemoveJd(k.Init, fd));
        var fdText = fd.ToString(CultureInfo.InvariantCulture);
        Assert.Equal(Errno.ENOTCAPABLE, k.Syscalls.JailSet(k.Init, new JailParams { ["desc"] = fdText, ["host.hostname"] = "x" }, JailFlags.Update | JailFlags.UseDesc).Error);
        Assert.True(k.Syscalls.JailAttachJd(k.Processes.Fork(k.Init).Value, fd).Ok);
        Assert.Equal(JailState.Alive, jail.State);
    }

    [Fact]
    public async Task Events_arrive_in_order_coalesce_and_end_with_removed()
    {
        using var k = new Kernel();
        var (fd, jail) = CreateOwned(k, k.Init, "a");
        k.Syscalls.JailSet(k.Init, new JailParams { ["name"] = "a", ["children.max"] = "5" }, JailFlags.Update);
        using var events = ((JailDescriptor)k.Init.Files.Get(fd)!).Watch();
        var child = k.Create("a.c1");
        var p = k.Processes.Fork(k.Init).Value;
        k.Syscalls.JailAttach(p, jail.Id);
        k.Syscalls.JailSet(k.Init, new JailParams { ["name"] = "a", ["host.hostname"] = "h1" }, JailFlags.Update);
        k.Syscalls.JailSet(k.Init, new JailParams { ["name"] = "a", ["host.hostname"] = "h2" }, JailFlags.Update);
        k.Syscalls.JailRemoveJd(k.Init, fd);

        var seen = new List<JailEvent>();
        await foreach (var e in events.ReadEventsAsync().WithCancellation(new CancellationTokenSource(Patience).Token))
            seen.Add(e);
        Assert.Equal(
            [
                new JailEvent(JailEventKind.ChildCreated, child.Id, 0, false),
                new JailEvent(JailEventKind.Attach, jail.Id, p.Pid, false),
                new JailEvent(JailEventKind.Set, jail.Id, 0, true),
                new JailEvent(JailEventKind.Removed, jail.Id, 0, false),
            ], seen);
    }

    [Fact]
    public async Task Watching_a_removed_jail_delivers_removed_at_once()
    {
        using var k = new Kernel();
        var (fd, _) = CreateOwned(k, k.Init, "a");
        k.Syscalls.JailRemoveJd(k.Init, fd);
        using var events = ((JailDescriptor)k.Init.Files.Get(fd)!).Watch();
        Assert.True(await events.WaitToReadAsync().AsTask().WaitAsync(Patience));
        Assert.True(events.TryRead(out var e));
        Assert.Equal(JailEventKind.Removed, e.Kind);
        Assert.False(await events.WaitToReadAsync().AsTask().WaitAsync(Patience));
    }

    [Fact]
    public void Owning_descriptor_closed_by_process_exit_removes_the_jail_and_runs_every_destroy()
    {
        using var k = new Kernel();
        var rec = new ServiceRecorder(k, "svc");
        k.Services.Register(rec.Definition());
        var manager = k.Processes.Fork(k.Init).Value;
        var (_, jail) = CreateOwned(k, manager, "a");
        var inside = k.RootIn(jail);
        k.Processes.Exit(manager);
        Assert.True(inside.HasExited);
        Assert.Equal(JailState.Dead, jail.State);
        Assert.Equal(1, rec.Count("destroy", jail.Id));
    }

    [Fact]
    public void At_desc_creates_a_child_under_the_descriptors_jail()
    {
        using var k = new Kernel();
        var (fd, parent) = CreateOwned(k, k.Init, "p");
        k.Syscalls.JailSet(k.Init, new JailParams { ["name"] = "p", ["children.max"] = "1" }, JailFlags.Update);
        var r = k.Syscalls.JailSet(k.Init, new JailParams { ["name"] = "kid", ["persist"] = null, ["desc"] = fd.ToString(CultureInfo.InvariantCulture) }, JailFlags.Create | JailFlags.AtDesc);
        Assert.True(r.Ok, r.ToString());
        Assert.Same(parent, k.Jails.Find(r.Value)!.Parent);
        Assert.Equal("p.kid", k.Jails.Find(r.Value)!.Name);
    }
}
