using System.Runtime.CompilerServices;
using Prison.Core;
using Prison.Core.Modules;
using Prison.TestContracts;
using static Prison.Modules.Tests.ModuleTestKernel;

namespace Prison.Modules.Tests;

public class FailureTests
{
    [Fact]
    public void A_load_hook_that_throws_leaves_nothing_registered_and_its_context_collected()
    {
        using var t = new ModuleTestKernel();
        t.CreateJail("a");
        t.CreateJail("b");
        t.Kernel.Kenv.Set("testplugin.fail", "load");

        var r = t.Kldload();

        Assert.Equal(Errno.EDOOFUS, r.Error);
        Assert.Contains("testplugin.fail=load", r.Message, StringComparison.Ordinal);
        Assert.Equal([0, 1, 2], t.JidsLogged("create"));
        Assert.Equal([0, 1, 2], t.JidsLogged("destroy"));
        t.AssertNothingRegistered();
        Assert.Equal(Errno.ENOENT, t.TryCreateJail("c", (Parameter, "1")).Error);
        Assert.False(AnyPluginContextAlive());
    }

    [Fact]
    public void A_create_that_fails_for_the_kth_jail_unwinds_the_others_and_the_whole_load()
    {
        using var t = new ModuleTestKernel();
        t.CreateJail("a");
        t.CreateJail("b");
        t.CreateJail("c");
        // The third create is for jail b (prison0 and a come first).
        t.Kernel.Kenv.Set("testplugin.fail", "create:3");

        var r = t.Kldload();

        Assert.Equal(Errno.EINVAL, r.Error);
        Assert.Contains("failing create for jail 2", r.Message, StringComparison.Ordinal);
        Assert.Equal([0, 1], t.JidsLogged("create"));
        Assert.Equal([0, 1], t.JidsLogged("destroy"));
        t.AssertNothingRegistered();
        Assert.False(AnyPluginContextAlive());
    }

    [Fact]
    public void A_failed_load_can_be_retried_once_the_cause_is_gone()
    {
        using var t = new ModuleTestKernel();
        t.Kernel.Kenv.Set("testplugin.fail", "load");
        Assert.False(t.Kldload().Ok);
        t.Kernel.Kenv.Unset("testplugin.fail");

        Assert.True(t.Kldload().Ok);
        Assert.Equal(1, t.ReadSysctlInt(CreatesNode));
    }

    [Fact]
    public void An_unload_refused_with_EBUSY_changes_nothing()
    {
        using var t = new ModuleTestKernel();
        var jail = t.CreateJail("a");
        var proc = t.RootIn(jail);
        var loaded = t.Kldload().Value;
        var registrations = loaded.Registrations;
        t.Kernel.Kenv.Set("testplugin.fail", "unload");

        var r = t.Kldunload();

        Assert.Equal(Errno.EBUSY, r.Error);
        Assert.Equal(ModuleState.Loaded, loaded.State);
        Assert.True(HasInstance(loaded));
        Assert.Equal(registrations, loaded.Registrations);
        Assert.Empty(t.JidsLogged("destroy"));
        Assert.True(t.Kernel.Syscalls.TestLevel(proc).Ok);
        Assert.NotNull(t.Kernel.Jails.Parameters.Find(Parameter));
        Assert.Equal(2, t.ReadSysctlInt(CreatesNode));

        t.Kernel.Kenv.Unset("testplugin.fail");
        Assert.True(t.Kldunload().Ok);
        t.AssertNothingRegistered();
    }

    [Fact]
    public void Force_unload_overrides_the_modules_veto()
    {
        using var t = new ModuleTestKernel();
        t.Kldload();
        t.Kernel.Kenv.Set("testplugin.fail", "unload");

        Assert.True(t.Kldunload(force: true).Ok);

        t.AssertNothingRegistered();
        Assert.False(AnyPluginContextAlive());
    }

    [Fact]
    public void Unload_waits_for_a_thread_inside_a_module_syscall()
    {
        using var t = new ModuleTestKernel();
        t.Kldload();
        using var entered = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        SysResult<int> held = default, unloaded = default;
        var holder = new Thread(() => held = t.Kernel.Syscalls.TestHold(entered, release));
        holder.Start();
        Assert.True(entered.Wait(TimeSpan.FromSeconds(30)), "the holding thread never entered the syscall");

        var unloader = new Thread(() => unloaded = t.Kldunload());
        unloader.Start();
        // Once new calls get ENOSYS the gate is closed and the unload is draining: it cannot finish while
        // the holder is inside, whatever the scheduling.
        var proc = t.Kernel.Init;
        var closed = SpinWait.SpinUntil(() => t.Kernel.Syscalls.TestLevel(proc).Error == Errno.ENOSYS, TimeSpan.FromSeconds(30));
        Assert.True(closed, "the unload never closed the syscall gate");
        Assert.True(unloader.IsAlive);
        // kldstat answers while the unload waits, and shows it.
        Assert.Equal(ModuleState.UnloadPending, Assert.Single(t.Kernel.Modules.List()).State);
        Assert.Null(t.Kernel.Modules.Find(Plugin));

        release.Set();

        Assert.True(unloader.Join(TimeSpan.FromSeconds(30)), "the unload did not finish after the holder left");
        Assert.True(unloaded.Ok, unloaded.ToString());
        Assert.True(holder.Join(TimeSpan.FromSeconds(30)));
        Assert.True(held.Ok, held.ToString());
        t.AssertNothingRegistered();
    }

    // A bool, not the instance: a test frame that held the module (even in a JIT temporary) would
    // keep the plugin alive and the unload would be reported as leaked.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool HasInstance(LoadedModule loaded) => loaded.Module is not null;
}
