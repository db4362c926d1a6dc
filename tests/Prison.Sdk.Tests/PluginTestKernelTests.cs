using Prison.Core;
using Prison.Core.Modules;
using Prison.Core.Syscalls;
using Prison.TestContracts;
using Prison.Testing;

namespace Prison.Sdk.Tests;

/// <summary>Prison.Testing's PluginTestKernel, on the repository's test plugin (copied to plugins/testplugin/ by the build).</summary>
public class PluginTestKernelTests
{
    [Fact]
    public void Boots_with_the_plugin_and_runs_syscalls_as_a_jailed_process()
    {
        using var t = new PluginTestKernel("testplugin");
        var jail = t.CreateJail("web", ("testsvc.level", "3"));
        var proc = t.Spawn(jail);

        Assert.Equal(ModuleState.Loaded, t.Module.State);
        Assert.Equal(3, t.Syscall<ITestSyscalls, int>(s => s.Level(proc)).Value);
        Assert.Equal(0, t.Syscall<ITestSyscalls, int>(s => s.Level(t.Kernel.Init)).Value);
        Assert.Equal(2L, t.Sysctl(proc, "debug.testplugin.creates").Value); // prison0 and web
        Assert.Equal(Errno.EPERM, t.SetSysctl(proc, "debug.testplugin.creates", "0"));
    }

    [Fact]
    public void Syscalls_of_an_unloaded_module_fail_with_ENOSYS()
    {
        using var t = new PluginTestKernel("testplugin");
        var proc = t.Spawn(t.CreateJail("web"));

        Assert.True(t.Unload().Ok);

        Assert.Equal(Errno.ENOSYS, t.Syscall<ITestSyscalls, int>(s => s.Level(proc)).Error);
    }

    [Fact]
    public void A_missing_plugin_fails_with_ENOENT_and_says_where_it_looked()
    {
        var ex = Assert.Throws<KernelErrorException>(() => new PluginTestKernel("nosuchplugin"));

        Assert.Equal(Errno.ENOENT, ex.Error);
        Assert.Contains("plugins", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_jail_parameter_fails_with_the_errno_jail_would_report()
    {
        using var t = new PluginTestKernel("testplugin");

        var ex = Assert.Throws<KernelErrorException>(() => t.CreateJail("web", ("no.such.param", "1")));

        Assert.Equal(Errno.ENOENT, ex.Error);
    }
}

/// <summary>kldstat rows are copies: nothing in them reaches the module's registrar or instance.</summary>
public class KldstatSurfaceTests
{
    [Fact]
    public void A_kldstat_row_exposes_no_registrar_and_no_module_instance()
    {
        var exposed = typeof(KldFileStat).GetProperties().Select(p => p.PropertyType).ToArray();

        Assert.DoesNotContain(typeof(ModuleContext), exposed);
        Assert.DoesNotContain(exposed, t => typeof(KernelModule).IsAssignableFrom(t));
    }

    [Fact]
    public void Registrations_are_a_copy_and_the_row_is_gone_after_unload()
    {
        using var t = new PluginTestKernel("testplugin");
        var row = t.Module;
        var registrations = row.Registrations;

        Assert.Contains(registrations, r => r.StartsWith("sysctl debug.testplugin.", StringComparison.Ordinal));
        Assert.True(t.Unload().Ok);

        Assert.Equal(Errno.ENOENT, t.Kernel.Syscalls.KldStat(t.Kernel.Init, row.Id).Error);
        Assert.NotEmpty(registrations);
    }
}
