using Prison.Core;
using Prison.Core.Jails;
using Prison.Core.Modules;
using Prison.TestContracts;
using Xunit.Abstractions;
using static Prison.Modules.Tests.ModuleTestKernel;

namespace Prison.Modules.Tests;

public class LoadUnloadTests(ITestOutputHelper output)
{
    [Fact]
    public void Load_with_jails_alive_runs_create_for_each_and_unload_runs_destroy_for_each()
    {
        using var t = new ModuleTestKernel();
        var jails = new[] { t.CreateJail("a"), t.CreateJail("b"), t.CreateJail("c") };
        int[] expected = [0, .. jails.Select(j => j.Id)];

        var loaded = t.Kldload();

        Assert.True(loaded.Ok, loaded.ToString());
        Assert.Equal(expected, t.JidsLogged("create"));
        Assert.Equal(expected.Length, t.ReadSysctlInt(CreatesNode));
        Assert.Empty(t.JidsLogged("destroy"));
        Assert.True(AnyPluginContextAlive());

        Assert.True(t.Kldunload().Ok);

        Assert.Equal(expected, t.JidsLogged("destroy"));
        t.AssertNothingRegistered();
        Assert.False(AnyPluginContextAlive());
        output.WriteLine(t.Log.Records.Last(r => r.Category == "Prison.Modules").Message);
    }

    [Fact]
    public void Kldstat_shows_id_refs_name_version_path_and_state()
    {
        using var t = new ModuleTestKernel();

        var loaded = t.Kldload().Value;

        var listed = Assert.Single(t.Kernel.Modules.List());
        Assert.Same(loaded, listed);
        Assert.Equal(2, listed.Id);
        Assert.Equal(1, listed.References);
        Assert.Equal(Plugin, listed.Name);
        Assert.Equal(new Version(1, 2, 0, 0), listed.Version);
        Assert.Equal(PluginFile, listed.Path);
        Assert.Equal(ModuleState.Loaded, listed.State);
        Assert.Same(listed, t.Kernel.Modules.Find(Plugin));
    }

    [Fact]
    public void A_module_can_be_loaded_again_after_unload_and_starts_fresh()
    {
        using var t = new ModuleTestKernel();
        t.CreateJail("a");
        var first = t.Kldload().Value;
        Assert.True(t.Kldunload().Ok);

        var second = t.Kldload();

        Assert.True(second.Ok, second.ToString());
        Assert.True(second.Value.Id > first.Id);
        // A new context: the counters began again at this load, with prison0 and jail a.
        Assert.Equal(2, t.ReadSysctlInt(CreatesNode));
        Assert.Equal([0, 0, 1, 1], t.JidsLogged("create"));
    }

    [Fact]
    public void Jails_created_while_loaded_get_create_and_the_parameter_and_syscall_work()
    {
        using var t = new ModuleTestKernel();
        t.Kldload();

        var jail = t.CreateJail("p", (Parameter, "5"));
        var proc = t.RootIn(jail);

        Assert.Equal(5, t.Kernel.Syscalls.TestLevel(proc).Value);
        var got = t.Kernel.Syscalls.JailGet(t.Kernel.Init, new JailParams { ["name"] = "p", [Parameter] = null });
        Assert.Equal("5", got.Value[Parameter]);
        Assert.Equal("int", t.Kernel.Sysctl.Read(t.Root, "security.jail.param." + Parameter).Value);
        var negative = t.TryCreateJail("q", (Parameter, "-1"));
        Assert.Equal(Errno.EINVAL, negative.Error);
        Assert.Equal([0, jail.Id], t.JidsLogged("create"));
    }

    [Fact]
    public void After_unload_the_parameter_syscalls_and_sysctls_are_gone()
    {
        using var t = new ModuleTestKernel();
        var jail = t.CreateJail("a");
        var proc = t.RootIn(jail);
        t.Kldload();
        Assert.Equal(0, t.Kernel.Syscalls.TestLevel(proc).Value);

        Assert.True(t.Kldunload().Ok);

        var create = t.TryCreateJail("b", (Parameter, "1"));
        Assert.Equal(Errno.ENOENT, create.Error);
        Assert.Equal($"unknown parameter: {Parameter}", create.Message);
        Assert.Equal(Errno.ENOSYS, t.Kernel.Syscalls.TestLevel(proc).Error);
        Assert.Equal(Errno.ENOENT, t.Kernel.Sysctl.Read(t.Root, CreatesNode).Error);
        Assert.Equal(Errno.ENOENT, t.Kernel.Sysctl.Read(t.Root, "security.jail.param." + Parameter).Error);
        t.AssertNothingRegistered();
    }

    [Fact]
    public void Process_exits_reach_the_module_only_while_it_is_loaded()
    {
        using var t = new ModuleTestKernel();
        t.Kldload();
        t.Kernel.Processes.Exit(t.RootIn(t.Kernel.Prison0));
        Assert.Equal(1, t.ReadSysctlInt("debug.testplugin.exits"));

        Assert.True(t.Kldunload().Ok);
        t.Kernel.Processes.Exit(t.RootIn(t.Kernel.Prison0));

        Assert.False(AnyPluginContextAlive());
    }
}
