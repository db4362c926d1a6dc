using System.Runtime.Loader;
using Microsoft.Extensions.Logging;
using Prison.Core;
using Prison.Core.Modules;

namespace Prison.Sdk.Tests;

/// <summary>Reload on change: kldunload (with its veto) then kldload of the replaced file.</summary>
public sealed class ModuleWatcherTests : IDisposable
{
    private const string Module = "reloadme";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private readonly string _dir = Directory.CreateTempSubdirectory("prison-watch-").FullName;
    private readonly CapturingLogger _log = new();
    private readonly ILoggerFactory _loggers;
    private readonly Kernel _kernel;

    public ModuleWatcherTests()
    {
        _loggers = LoggerFactory.Create(b => b.AddProvider(_log).SetMinimumLevel(LogLevel.Trace));
        _kernel = new Kernel(new KernelOptions { LoggerFactory = _loggers });
        Directory.CreateDirectory(Path.Combine(_dir, Module));
    }

    private string File => Path.Combine(_dir, Module, Module + ".dll");

    [Fact]
    public void A_file_replaced_twice_runs_the_newest_version_and_the_old_contexts_are_collected()
    {
        System.IO.File.WriteAllBytes(File, Build(1));
        Assert.True(_kernel.Modules.Load(_kernel.Init.Cred, File).Ok);
        Assert.Equal(1L, ReadVersion());
        using var watcher = new ModuleWatcher(_kernel, TimeSpan.FromMilliseconds(200));

        // First replacement: an atomic rename over the file (what `cp new tmp && mv tmp file` does).
        var first = Replace(watcher, () =>
        {
            var tmp = Path.Combine(_dir, Module, "new.tmp");
            System.IO.File.WriteAllBytes(tmp, Build(2));
            System.IO.File.Move(tmp, File, overwrite: true);
        });
        Assert.Equal(Errno.OK, first.Error);
        Assert.Equal(2L, ReadVersion());
        AssertOneLiveContext();

        // Second replacement: written in place.
        var second = Replace(watcher, () => System.IO.File.WriteAllBytes(File, Build(3)));
        Assert.Equal(Errno.OK, second.Error);
        Assert.Equal(3L, ReadVersion());
        AssertOneLiveContext();
        var row = Assert.Single(_kernel.Modules.List());
        Assert.Equal(new Version(3, 0), row.Version);
        Assert.Contains(_log.Lines, l => l.Category == "Prison.ModuleWatcher" && l.Message.Contains("module reloadme reloaded: version 3.0", StringComparison.Ordinal));
    }

    [Fact]
    public void A_reload_refused_with_EBUSY_leaves_the_old_version_running_and_logs_why()
    {
        System.IO.File.WriteAllBytes(File, Build(1));
        Assert.True(_kernel.Modules.Load(_kernel.Init.Cred, File).Ok);
        _kernel.Kenv.Set("reloadme.busy", "1");
        using var watcher = new ModuleWatcher(_kernel, TimeSpan.FromMilliseconds(200));

        var refused = Replace(watcher, () => System.IO.File.WriteAllBytes(File, Build(2)));

        Assert.Equal(Errno.EBUSY, refused.Error);
        Assert.Equal(1L, ReadVersion());
        Assert.Equal(ModuleState.Loaded, Assert.Single(_kernel.Modules.List()).State);
        Assert.Contains(_log.Lines, l => l.Level == LogLevel.Warning && l.Message.Contains("reload of module reloadme refused", StringComparison.Ordinal)
            && l.Message.Contains("EBUSY", StringComparison.Ordinal) && l.Message.Contains("old version keeps running", StringComparison.Ordinal));
    }

    [Fact]
    public void A_burst_of_writes_reloads_once()
    {
        System.IO.File.WriteAllBytes(File, Build(1));
        Assert.True(_kernel.Modules.Load(_kernel.Init.Cred, File).Ok);
        using var watcher = new ModuleWatcher(_kernel, TimeSpan.FromMilliseconds(300));
        var attempts = 0;
        watcher.ReloadAttempted += (_, _) => Interlocked.Increment(ref attempts);

        var done = Replace(watcher, () =>
        {
            var image = Build(2);
            using var f = new FileStream(File, FileMode.Create);
            for (var i = 0; i < image.Length; i += 512)
            {
                f.Write(image, i, Math.Min(512, image.Length - i));
                f.Flush();
            }
        });

        Assert.Equal(Errno.OK, done.Error);
        Thread.Sleep(600); // longer than the debounce: a second reload would have started by now
        Assert.Equal(1, Volatile.Read(ref attempts));
        Assert.Equal(2L, ReadVersion());
    }

    public void Dispose()
    {
        _kernel.Dispose();
        _loggers.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private static ModuleReloadEventArgs Replace(ModuleWatcher watcher, Action replace)
    {
        using var done = new ManualResetEventSlim();
        ModuleReloadEventArgs? outcome = null;
        void Handler(object? sender, ModuleReloadEventArgs e)
        {
            outcome = e;
            done.Set();
        }
        watcher.ReloadAttempted += Handler;
        try
        {
            replace();
            Assert.True(done.Wait(Wait), "no reload attempt after the file was replaced");
            return outcome!;
        }
        finally
        {
            watcher.ReloadAttempted -= Handler;
        }
    }

    private long ReadVersion() => (long)_kernel.Sysctl.Read(_kernel.Init.Cred, "debug.reloadme.version").Value;

    private static void AssertOneLiveContext()
    {
        // The reload verified the old context's collection before loading the new file (a leak would
        // have left a Leaked row in kldstat); nothing else may hold an old one either.
        for (var i = 0; i < 5 && AssemblyLoadContext.All.Count(c => c.Name == Module) > 1; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        Assert.Single(AssemblyLoadContext.All, c => c.Name == Module);
    }

    /// <summary>Version N of the plugin: its sysctl debug.reloadme.version answers N.</summary>
    private static byte[] Build(int version) => PluginCompiler.Compile(Module, $$"""
        using Prison.Core;
        using Prison.Core.Modules;
        using Prison.Core.Sysctl;

        [assembly: System.Reflection.AssemblyVersion("{{version}}.0.0.0")]

        public sealed class ReloadMe : KernelModule
        {
            public override string Name => "reloadme";
            public override Version Version => new({{version}}, 0);
            public override void Load(ModuleContext context) =>
                context.RegisterSysctl(new SysctlInt("debug.reloadme.version", "the loaded version", _ => {{version}}, access: SysctlAccess.ReadOnly));
            public override Errno QueryUnload(ModuleContext context) =>
                context.Tunables.Get("reloadme.busy") == "1" ? Errno.EBUSY : Errno.OK;
        }
        """);
}
