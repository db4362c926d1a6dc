using static Prison.Modules.Tests.ModuleTestKernel;

namespace Prison.Modules.Tests;

public class FileTests
{
    [Fact]
    public void A_loaded_plugin_file_is_neither_open_nor_mapped_and_can_be_replaced_and_loaded_again()
    {
        var dir = Directory.CreateTempSubdirectory("prison-rebuild-");
        try
        {
            var plugin = Path.Combine(dir.FullName, Plugin, Plugin + ".dll");
            CopyPlugin(dir.FullName);
            using var t = new ModuleTestKernel();

            var first = t.Kldload(plugin);

            Assert.True(first.Ok, first.ToString());
            if (OperatingSystem.IsLinux())
            {
                Assert.DoesNotContain(OpenFiles(), f => f.StartsWith(dir.FullName, StringComparison.Ordinal));
                Assert.DoesNotContain(File.ReadLines("/proc/self/maps"), l => l.Contains(dir.FullName, StringComparison.Ordinal));
            }
            // "Rebuild" while loaded: the files can be replaced under the running module.
            CopyPlugin(dir.FullName);
            Assert.True(t.Kldunload().Ok);

            var second = t.Kldload(plugin);

            Assert.True(second.Ok, second.ToString());
            Assert.Equal(1, t.ReadSysctlInt(CreatesNode));
            Assert.True(t.Kldunload().Ok);
            Assert.False(AnyPluginContextAlive());
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void Prison_Core_beside_a_plugin_is_ignored_so_the_module_type_is_the_hosts()
    {
        var dir = Directory.CreateTempSubdirectory("prison-shared-");
        try
        {
            CopyPlugin(dir.FullName);
            var folder = Path.Combine(dir.FullName, Plugin);
            // Without a .deps.json every assembly in the folder is the plugin's own; a stray core copy
            // would then win, and its KernelModule would not be the host's.
            File.Delete(Path.Combine(folder, Plugin + ".deps.json"));
            File.Copy(typeof(Prison.Core.Kernel).Assembly.Location, Path.Combine(folder, "Prison.Core.dll"));
            using var t = new ModuleTestKernel();

            var loaded = t.Kldload(folder);

            Assert.True(loaded.Ok, loaded.ToString());
            Assert.True(t.Kldunload().Ok);
            Assert.False(AnyPluginContextAlive());
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static void CopyPlugin(string root)
    {
        var target = Directory.CreateDirectory(Path.Combine(root, Plugin)).FullName;
        foreach (var f in Directory.GetFiles(PluginFolder))
            File.Copy(f, Path.Combine(target, Path.GetFileName(f)), overwrite: true);
    }

    private static IEnumerable<string> OpenFiles() =>
        new DirectoryInfo("/proc/self/fd").EnumerateFileSystemInfos().Select(fd => fd.LinkTarget).OfType<string>();
}
