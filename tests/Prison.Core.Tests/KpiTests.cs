using Prison.Core.Jails;

namespace Prison.Core.Tests;

/// <summary>The jail services KPI, one guarantee per test (docs/background.md, the jail services proposal).</summary>
public class KpiTests
{
    [Fact]
    public void No_service_means_no_slot_memory()
    {
        using var k = new Kernel();
        var j = k.Create("a");
        Assert.Equal(0, k.Services.SlotTableLength);
        Assert.Equal(0, j.SlotCapacity);
    }

    [Fact]
    public void Freed_slot_in_the_middle_is_reused_and_table_shrinks_only_when_the_last_goes()
    {
        using var k = new Kernel();
        var a = k.Services.Register(new ServiceRecorder(k, "a").Definition());
        var b = k.Services.Register(new ServiceRecorder(k, "b").Definition());
        var c = k.Services.Register(new ServiceRecorder(k, "c").Definition());
        Assert.Equal([0, 1, 2], new[] { a.Index, b.Index, c.Index });

        b.Deregister();
        Assert.Equal(3, k.Services.SlotTableLength); // a hole in the middle does not shrink the table
        var d = k.Services.Register(new ServiceRecorder(k, "d").Definition());
        Assert.Equal(1, d.Index); // the hole is reused

        c.Deregister();
        Assert.Equal(2, k.Services.SlotTableLength); // the last slot went: shrink
        d.Deregister();
        Assert.Equal(1, k.Services.SlotTableLength); // d now held the last slot
        Assert.Equal(0, a.Index);
        Assert.True(a.IsRegistered);
    }

    [Fact]
    public void Shrinking_drops_trailing_holes_and_the_jails_slot_arrays()
    {
        using var k = new Kernel();
        var j = k.Create("a");
        var a = k.Services.Register(new ServiceRecorder(k, "a").Definition());
        var b = k.Services.Register(new ServiceRecorder(k, "b").Definition());
        Assert.Equal(4, j.SlotCapacity); // two slots, in an array with headroom (a power of two, at least 4)
        a.Deregister();
        Assert.Equal(2, k.Services.SlotTableLength);
        b.Deregister();
        Assert.Equal(0, k.Services.SlotTableLength);
        Assert.Equal(0, j.SlotCapacity);
        Assert.Equal(0, k.Prison0.SlotCapacity);
    }

    [Fact]
    public void Slot_arrays_keep_their_headroom_until_the_table_needs_a_quarter_of_them()
    {
        using var k = new Kernel();
        var j = k.Create("a");
        var first = k.Services.Register(new ServiceRecorder(k, "first").Definition());
        var before = first.Get(j);
        Assert.Equal(4, j.SlotCapacity);

        // A second service comes and goes: the arrays stay as they are, and so does the first one's value.
        k.Services.Register(new ServiceRecorder(k, "second").Definition()).Deregister();
        Assert.Equal(4, j.SlotCapacity);
        Assert.Same(before, first.Get(j));

        // Nine services need 16 entries; back to one, the array shrinks to the minimum again.
        var more = Enumerable.Range(0, 8).Select(i => k.Services.Register(new ServiceRecorder(k, "s" + i).Definition())).ToArray();
        Assert.Equal(16, j.SlotCapacity);
        Assert.Equal(16, k.Prison0.SlotCapacity);
        foreach (var s in more.Reverse())
            s.Deregister();
        Assert.Equal(4, j.SlotCapacity);
        Assert.Same(before, first.Get(j));
        first.Deregister();
        Assert.Equal(0, j.SlotCapacity);
    }

    [Fact]
    public void Create_runs_for_every_jail_alive_at_registration_prison0_first()
    {
        using var k = new Kernel();
        var jails = Enumerable.Range(1, 5).Select(i => k.Create("j" + i)).ToArray();
        var rec = new ServiceRecorder(k, "svc");
        var slot = k.Services.Register(rec.Definition());
        Assert.Equal([0, 1, 2, 3, 4, 5], rec.Jids("create"));
        Assert.All(jails, j => Assert.Equal(j.Id, slot.Get(j)!.Jid));
    }

    [Fact]
    public void Create_runs_for_every_jail_created_later_and_not_twice()
    {
        using var k = new Kernel();
        var rec = new ServiceRecorder(k, "svc");
        var slot = k.Services.Register(rec.Definition());
        var j = k.Create("late");
        Assert.Equal(1, rec.Count("create", j.Id));
        Assert.Equal(j.Id, slot.Get(j)!.Jid);
        Assert.Equal(2, rec.Jids("create").Length);
    }

    [Fact]
    public void Create_failing_for_the_kth_jail_fails_registration_and_destroys_the_ones_before_in_reverse()
    {
        using var k = new Kernel();
        for (var i = 1; i <= 5; i++)
            k.Create("j" + i);
        var rec = new ServiceRecorder(k, "svc") { FailCreateForJid = 3 };
        var ex = Assert.Throws<KernelErrorException>(() => k.Services.Register(rec.Definition()));
        Assert.Equal(Errno.EDOOFUS, ex.Error);
        Assert.Equal([0, 1, 2], rec.Jids("create"));
        Assert.Equal([2, 1, 0], rec.Jids("destroy"));
        Assert.Equal(0, k.Services.SlotTableLength);
        Assert.Empty(k.Services.Registered);
        Assert.All(k.Jails.List(k.Prison0).Append(k.Prison0), j => Assert.Equal(0, j.SlotCapacity)); // no service, no memory
        // The name is free again: a fixed service registers.
        rec.FailCreateForJid = null;
        k.Services.Register(rec.Definition());
    }

    [Fact]
    public void Registration_failure_leaves_the_services_parameters_unregistered()
    {
        using var k = new Kernel();
        k.Create("j1");
        var rec = new ServiceRecorder(k, "svc") { FailCreateForJid = 1 };
        Assert.Throws<KernelErrorException>(() => k.Services.Register(rec.Definition(new JailParameterDefinition("svc.level", JailParamType.Int, "level"))));
        Assert.Null(k.Jails.Parameters.Find("svc.level"));
        var r = k.TryCreate(k.Init, ("name", "x"), ("persist", null), ("svc.level", "1"));
        Assert.Equal(Errno.ENOENT, r.Error);
        Assert.Equal("unknown parameter: svc.level", r.Message);
    }

    [Fact]
    public void Destroy_runs_once_when_the_jail_is_freed_and_not_again_at_deregistration()
    {
        using var k = new Kernel();
        var rec = new ServiceRecorder(k, "svc");
        var slot = k.Services.Register(rec.Definition());
        var j = k.Create("a");
        Assert.Equal(Errno.OK, k.Syscalls.JailRemove(k.Init, j.Id));
        Assert.Equal(JailState.Dead, j.State);
        Assert.Equal(1, rec.Count("remove", j.Id));
        Assert.Equal(1, rec.Count("destroy", j.Id));
        slot.Deregister();
        Assert.Equal(1, rec.Count("destroy", j.Id));
        Assert.Equal(1, rec.Count("destroy", 0)); // prison0 is destroyed at deregistration
    }

    [Fact]
    public void Destroy_runs_once_at_deregistration_and_not_again_when_the_jail_dies()
    {
        using var k = new Kernel();
        var rec = new ServiceRecorder(k, "svc");
        var slot = k.Services.Register(rec.Definition());
        var j = k.Create("a");
        slot.Deregister();
        Assert.Equal(1, rec.Count("destroy", j.Id));
        Assert.Null(slot.Get(j));
        k.Syscalls.JailRemove(k.Init, j.Id);
        Assert.Equal(1, rec.Count("destroy", j.Id));
        Assert.Equal(0, rec.Count("remove", j.Id));
    }

    [Fact]
    public void A_held_dying_jail_gets_remove_at_once_and_destroy_only_at_its_last_reference()
    {
        using var k = new Kernel();
        var rec = new ServiceRecorder(k, "svc");
        k.Services.Register(rec.Definition());
        var j = k.Create("a");
        Assert.True(j.TryHold(out var held)); // e.g. a descriptor or an attached segment
        k.Syscalls.JailRemove(k.Init, j.Id);
        Assert.Equal(JailState.Dying, j.State);
        Assert.Equal(1, rec.Count("remove", j.Id));
        Assert.Equal(0, rec.Count("destroy", j.Id));
        Assert.Null(k.Jails.FindVisible(k.Prison0, "a"));
        Assert.NotNull(k.Jails.FindVisible(k.Prison0, "a", includeDying: true));
        held.Dispose();
        Assert.Equal(JailState.Dead, j.State);
        Assert.Equal(1, rec.Count("destroy", j.Id));
    }

    [Fact]
    public void Check_veto_during_creation_leaves_no_jail_and_runs_no_create()
    {
        using var k = new Kernel();
        var rec = new ServiceRecorder(k, "svc") { CheckResult = Errno.EPERM };
        k.Services.Register(rec.Definition());
        var before = rec.Events.Count;
        var r = k.TryCreate(k.Init, ("name", "a"), ("persist", null));
        Assert.Equal(Errno.EPERM, r.Error);
        Assert.Equal("svc says no", r.Message);
        Assert.Empty(k.Jails.List(k.Prison0));
        Assert.Equal(0, k.Prison0.ChildrenCur);
        Assert.DoesNotContain(rec.Events.Skip(before), e => e.Event == "create");
    }

    [Fact]
    public void Create_failure_during_jail_creation_unwinds_the_services_that_ran_in_reverse()
    {
        using var k = new Kernel();
        var log = new List<string>();
        var recs = new[] { new ServiceRecorder(k, "s0"), new ServiceRecorder(k, "s1"), new ServiceRecorder(k, "s2") };
        foreach (var r in recs)
            k.Services.Register(r.Definition());
        recs[2].FailCreateForJid = 1;
        var result = k.TryCreate(k.Init, ("name", "a"), ("persist", null));
        Assert.Equal(Errno.EDOOFUS, result.Error);
        Assert.Contains("s2", result.Message);
        Assert.Equal(1, recs[0].Count("destroy", 1));
        Assert.Equal(1, recs[1].Count("destroy", 1));
        Assert.Equal(0, recs[2].Count("destroy", 1));
        // Reverse order: s1's destroy came before s0's.
        var order = recs.SelectMany(r => r.Events.Where(e => e.Event == "destroy" && e.Jid == 1).Select(_ => r.Name)).ToList();
        Assert.Equal(2, order.Count);
        Assert.Empty(k.Jails.List(k.Prison0));
        Assert.Equal(0, k.Prison0.ChildrenCur);
        // The jid was not consumed for good: the next jail can be created.
        Assert.True(k.TryCreate(k.Init, ("name", "b"), ("persist", null)).Ok);
    }

    [Fact]
    public void Unwind_order_is_reverse_of_creation()
    {
        using var k = new Kernel();
        var order = new List<string>();
        foreach (var name in new[] { "s0", "s1", "s2" })
        {
            var n = name;
            k.Services.Register(new Services.JailServiceDefinition<object>
            {
                Name = n,
                Create = (j, p) => p is not null && n == "s2" ? throw new KernelErrorException(Errno.ENOMEM, "no memory") : new object(),
                Destroy = (j, _) => { if (j.Id != 0) order.Add(n); },
            });
        }
        var r = k.TryCreate(k.Init, ("name", "a"), ("persist", null));
        Assert.Equal(Errno.ENOMEM, r.Error);
        Assert.Equal(["s1", "s0"], order);
    }

    [Fact]
    public void Set_failure_during_creation_unwinds_every_create()
    {
        using var k = new Kernel();
        var a = new ServiceRecorder(k, "a");
        var b = new ServiceRecorder(k, "b") { SetResult = Errno.EINVAL };
        k.Services.Register(a.Definition());
        k.Services.Register(b.Definition());
        var r = k.TryCreate(k.Init, ("name", "x"), ("persist", null));
        Assert.Equal(Errno.EINVAL, r.Error);
        Assert.Equal(1, a.Count("destroy", 1));
        Assert.Equal(1, b.Count("destroy", 1));
        Assert.Empty(k.Jails.List(k.Prison0));
    }

    [Fact]
    public void Check_veto_on_update_changes_nothing()
    {
        using var k = new Kernel();
        var rec = new ServiceRecorder(k, "svc");
        k.Services.Register(rec.Definition(new JailParameterDefinition("svc.level", JailParamType.Int, "level")));
        var j = k.Create("a", ("svc.level", "1"));
        rec.CheckResult = Errno.EINVAL;
        var r = k.Syscalls.JailSet(k.Init, new JailParams { ["name"] = "a", ["svc.level"] = "2", ["host.hostname"] = "changed" }, JailFlags.Update);
        Assert.Equal(Errno.EINVAL, r.Error);
        Assert.NotEqual("changed", j.HostName);
        var got = k.Syscalls.JailGet(k.Init, new JailParams { ["name"] = "a", ["svc.level"] = null });
        Assert.Equal("1", got.Value["svc.level"]);
    }

    [Fact]
    public void Service_parameters_are_set_and_reported_and_vanish_with_the_service()
    {
        using var k = new Kernel();
        var rec = new ServiceRecorder(k, "svc");
        var slot = k.Services.Register(rec.Definition(new JailParameterDefinition("svc.level", JailParamType.Int, "level")));
        k.Create("a", ("svc.level", "7"));
        var got = k.Syscalls.JailGet(k.Init, new JailParams { ["name"] = "a", ["svc.level"] = null });
        Assert.True(got.Ok, got.ToString());
        Assert.Equal("7", got.Value["svc.level"]);
        Assert.NotNull(k.Sysctl.Find("security.jail.param.svc.level"));

        slot.Deregister();
        var again = k.TryCreate(k.Init, ("name", "b"), ("persist", null), ("svc.level", "1"));
        Assert.Equal(Errno.ENOENT, again.Error);
        Assert.Equal("unknown parameter: svc.level", again.Message);
        Assert.Null(k.Sysctl.Find("security.jail.param.svc.level"));
    }

    [Fact]
    public void Service_parameter_values_are_type_checked_before_any_method()
    {
        using var k = new Kernel();
        var rec = new ServiceRecorder(k, "svc");
        k.Services.Register(rec.Definition(new JailParameterDefinition("svc.level", JailParamType.Int, "level")));
        var r = k.TryCreate(k.Init, ("name", "a"), ("persist", null), ("svc.level", "lots"));
        Assert.Equal(Errno.EINVAL, r.Error);
        Assert.Contains("svc.level", r.Message);
        Assert.DoesNotContain(rec.Events, e => e.Event == "check");
    }

    [Fact]
    public void Attach_method_may_veto_a_process_joining_the_jail()
    {
        using var k = new Kernel();
        var rec = new ServiceRecorder(k, "svc");
        k.Services.Register(rec.Definition());
        var j = k.Create("a");
        var p = k.Processes.Fork(k.Init).Value;
        rec.AttachResult = Errno.EBUSY;
        Assert.Equal(Errno.EBUSY, k.Syscalls.JailAttach(p, j.Id).Error);
        Assert.Same(k.Prison0, p.Jail);
        rec.AttachResult = Errno.OK;
        Assert.Equal(Errno.OK, k.Syscalls.JailAttach(p, j.Id).Error);
        Assert.Same(j, p.Jail);
    }

    [Fact]
    public void Methods_run_in_slot_order_and_the_first_error_stops()
    {
        using var k = new Kernel();
        var a = new ServiceRecorder(k, "a") { CheckResult = Errno.EPERM };
        var b = new ServiceRecorder(k, "b");
        k.Services.Register(a.Definition());
        k.Services.Register(b.Definition());
        var r = k.TryCreate(k.Init, ("name", "x"), ("persist", null));
        Assert.Equal(Errno.EPERM, r.Error);
        Assert.Single(a.Jids("check"));
        Assert.Empty(b.Jids("check"));
    }

    [Fact]
    public void Destroy_that_throws_is_logged_and_does_not_stop_other_services()
    {
        using var k = new Kernel();
        var destroyed = new List<string>();
        k.Services.Register(new Services.JailServiceDefinition<object>
        {
            Name = "good",
            Create = (_, _) => new object(),
            Destroy = (j, _) => destroyed.Add("good:" + j.Id),
        });
        k.Services.Register(new Services.JailServiceDefinition<object>
        {
            Name = "bad",
            Create = (_, _) => new object(),
            Destroy = (_, _) => throw new InvalidOperationException("boom"),
        });
        var j = k.Create("a");
        k.Syscalls.JailRemove(k.Init, j.Id);
        Assert.Equal(JailState.Dead, j.State);
        Assert.Contains("good:" + j.Id, destroyed);
    }

    [Fact]
    public void Duplicate_service_name_is_EEXIST()
    {
        using var k = new Kernel();
        k.Services.Register(new ServiceRecorder(k, "svc").Definition());
        var ex = Assert.Throws<KernelErrorException>(() => k.Services.Register(new ServiceRecorder(k, "svc").Definition()));
        Assert.Equal(Errno.EEXIST, ex.Error);
    }

    [Fact]
    public void Slot_get_set_delete_round_trip()
    {
        using var k = new Kernel();
        var j = k.Create("a");
        var slot = k.Services.Register(new Services.JailServiceDefinition<string> { Name = "s", Create = (jail, _) => "v" + jail.Id });
        Assert.Equal("v" + j.Id, slot.Get(j));
        slot.Set(j, "changed");
        Assert.Equal("changed", slot.Get(j));
        slot.Delete(j);
        Assert.Null(slot.Get(j));
    }

    [Fact]
    public void Callbacks_never_run_under_the_prison_list_lock()
    {
        using var k = new Kernel();
        var rec = new ServiceRecorder(k, "svc");
        var slot = k.Services.Register(rec.Definition());
        var j = k.Create("a");
        k.Syscalls.JailAttach(k.Processes.Fork(k.Init).Value, j.Id);
        k.Syscalls.JailRemove(k.Init, j.Id);
        slot.Deregister();
        Assert.False(rec.CalledUnderListLock);
        Assert.NotEmpty(rec.Events);
    }

    [Fact]
    public void A_callback_may_look_up_jails_without_deadlocking()
    {
        using var k = new Kernel();
        k.Create("a");
        var seen = new List<int>();
        k.Services.Register(new Services.JailServiceDefinition<object>
        {
            Name = "lookup",
            Create = (jail, _) =>
            {
                seen.Add(k.Jails.List(k.Prison0).Count);
                return null;
            },
        });
        k.Create("b");
        Assert.Equal(3, seen.Count); // prison0, a, b
    }
}
