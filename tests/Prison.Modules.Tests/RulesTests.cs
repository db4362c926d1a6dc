using Prison.Core;
using Prison.Core.Modules;
using Prison.Core.Procs;
using static Prison.Modules.Tests.ModuleTestKernel;

namespace Prison.Modules.Tests;

public class RulesTests
{
    [Fact]
    public void Loading_a_loaded_module_again_fails_with_EEXIST()
    {
        using var t = new ModuleTestKernel();
        t.Kldload();

        var byName = t.Kldload();
        var byPath = t.Kldload(PluginFile);

        Assert.Equal(Errno.EEXIST, byName.Error);
        Assert.Equal(Errno.EEXIST, byPath.Error);
        Assert.Single(t.Kernel.Modules.List());
        Assert.Equal(1, t.ReadSysctlInt(CreatesNode));
    }

    [Fact]
    public void A_module_that_is_nowhere_fails_with_ENOENT_in_kldloads_words()
    {
        using var t = new ModuleTestKernel();

        var byName = t.Kldload("nosuchmodule");
        var byPath = t.Kldload("/nonexistent/nosuchmodule.dll");

        Assert.Equal(Errno.ENOENT, byName.Error);
        Assert.Equal("can't load nosuchmodule: No such file or directory", byName.Message);
        Assert.Equal(Errno.ENOENT, byPath.Error);
        Assert.Empty(t.Kernel.Modules.List());
    }

    [Fact]
    public void Only_root_of_the_host_loads_and_unloads()
    {
        using var t = new ModuleTestKernel();
        var jail = t.CreateJail("a");
        var jailedRoot = Ucred.Root(jail);
        var hostUser = new Ucred(1001, 1001, [], t.Kernel.Prison0);

        Assert.Equal(Errno.EPERM, t.Kernel.Modules.Load(jailedRoot, Plugin).Error);
        Assert.Equal(Errno.EPERM, t.Kernel.Modules.Load(hostUser, Plugin).Error);
        // Privilege is checked before the name: no probing of the module path from a jail.
        Assert.Equal(Errno.EPERM, t.Kernel.Modules.Load(jailedRoot, "nosuchmodule").Error);
        Assert.Empty(t.Kernel.Modules.List());

        t.Kldload();
        Assert.Equal(Errno.EPERM, t.Kernel.Modules.Unload(jailedRoot, Plugin).Error);
        Assert.Equal(Errno.EPERM, t.Kernel.Modules.Unload(hostUser, Plugin).Error);
        Assert.Equal(ModuleState.Loaded, Assert.Single(t.Kernel.Modules.List()).State);
    }

    [Fact]
    public void A_dependency_must_be_loaded_first_and_cannot_be_unloaded_under_its_dependent()
    {
        using var t = new ModuleTestKernel();
        var dependent = new DependentModule();
        Assert.Equal(Errno.ENOENT, t.Kernel.Modules.LoadInstance(dependent).Error);

        var plugin = t.Kldload().Value;
        Assert.True(t.Kernel.Modules.LoadInstance(dependent).Ok);
        Assert.Equal(2, plugin.References);

        var refused = t.Kldunload();
        Assert.Equal(Errno.EBUSY, refused.Error);
        Assert.Contains("needed by dependent", refused.Message, StringComparison.Ordinal);
        Assert.Equal(ModuleState.Loaded, plugin.State);

        Assert.True(t.Kldunload("dependent").Ok);
        Assert.Equal(1, plugin.References);
        Assert.True(t.Kldunload().Ok);
        t.AssertNothingRegistered();
    }

    [Fact]
    public void Names_are_searched_on_kern_module_path()
    {
        var dir = Directory.CreateTempSubdirectory("prison-modpath-");
        try
        {
            // DIR/NAME.dll (the flat layout); DIR/NAME/NAME.dll is what the default path uses.
            foreach (var f in Directory.GetFiles(PluginFolder))
                File.Copy(f, Path.Combine(dir.FullName, Path.GetFileName(f)));
            using var t = new ModuleTestKernel(modulePath: "/nonexistent;" + dir.FullName);
            Assert.Equal("/nonexistent;" + dir.FullName, t.Kernel.Sysctl.Read(t.Root, "kern.module_path").Value);

            var loaded = t.Kldload();

            Assert.True(loaded.Ok, loaded.ToString());
            Assert.Equal(Path.Combine(dir.FullName, Plugin + ".dll"), loaded.Value.Path);
            Assert.True(t.Kldunload().Ok);
            Assert.Equal(Errno.OK, t.Kernel.Sysctl.Write(t.Root, "kern.module_path", "/nonexistent"));
            Assert.Equal(Errno.ENOENT, t.Kldload().Error);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void The_default_module_path_is_the_plugins_folder_beside_the_host()
    {
        using var t = new ModuleTestKernel();
        Assert.Equal(Path.Combine(AppContext.BaseDirectory, "plugins"), t.Kernel.Modules.ModulePath);
        Assert.Equal(PluginFile, t.Kernel.Modules.FindModuleFile(Plugin));
        Assert.Equal(PluginFile, t.Kernel.Modules.FindModuleFile(PluginFolder));
    }

    [Fact]
    public void A_file_without_exactly_one_module_type_fails_with_ENOEXEC()
    {
        var dir = Directory.CreateTempSubdirectory("prison-noexec-");
        try
        {
            var notAModule = Path.Combine(dir.FullName, "Prison.TestContracts.dll");
            File.Copy(Path.Combine(AppContext.BaseDirectory, "Prison.TestContracts.dll"), notAModule);
            var notAnAssembly = Path.Combine(dir.FullName, "garbage.dll");
            File.WriteAllText(notAnAssembly, "this is not a PE file");
            using var t = new ModuleTestKernel();

            var none = t.Kldload(notAModule);
            var garbage = t.Kldload(notAnAssembly);

            Assert.Equal(Errno.ENOEXEC, none.Error);
            Assert.Contains("no public, non-abstract KernelModule subclass", none.Message, StringComparison.Ordinal);
            Assert.Equal(Errno.ENOEXEC, garbage.Error);
            Assert.Empty(t.Kernel.Modules.List());
            Assert.DoesNotContain(System.Runtime.Loader.AssemblyLoadContext.All, c => c.IsCollectible && c.Name is "Prison.TestContracts" or "garbage");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>A module linked into the host that needs the test plugin.</summary>
    private sealed class DependentModule : KernelModule
    {
        public override string Name => "dependent";

        public override IReadOnlyList<string> DependsOn => [Plugin];

        public override void Load(ModuleContext context) { }
    }
}
