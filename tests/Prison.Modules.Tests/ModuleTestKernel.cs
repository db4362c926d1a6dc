using System.Runtime.Loader;
using Microsoft.Extensions.Logging;
using Prison.Core;
using Prison.Core.Jails;
using Prison.Core.Modules;
using Prison.Core.Procs;

namespace Prison.Modules.Tests;

/// <summary>A kernel with a log that records everything, and helpers around the test plugin.</summary>
internal sealed class ModuleTestKernel : IDisposable
{
    public const string Plugin = "testplugin";
    public const string Service = "testsvc";
    public const string Parameter = "testsvc.level";
    public const string CreatesNode = "debug.testplugin.creates";

    private readonly ILoggerFactory _loggers;

    public ModuleTestKernel(string? modulePath = null, bool keepLogRecords = true)
    {
        Log = new CapturingLoggerProvider(keepLogRecords);
        _loggers = LoggerFactory.Create(b => b.AddProvider(Log).SetMinimumLevel(LogLevel.Trace));
        Kernel = new Kernel(new KernelOptions { LoggerFactory = _loggers, ModulePath = modulePath });
    }

    /// <summary>The folder the build copied the test plugin to.</summary>
    public static string PluginFolder => Path.Combine(AppContext.BaseDirectory, "plugins", Plugin);

    /// <summary>The test plugin's main assembly.</summary>
    public static string PluginFile => Path.Combine(PluginFolder, Plugin + ".dll");

    public Kernel Kernel { get; }

    public CapturingLoggerProvider Log { get; }

    public Ucred Root => Kernel.Init.Cred;

    public SysResult<LoadedModule> Kldload(string nameOrPath = Plugin) => Kernel.Modules.Load(Root, nameOrPath);

    public SysResult<int> Kldunload(string name = Plugin, bool force = false) => Kernel.Modules.Unload(Root, name, force);

    /// <summary>Creates a persistent jail, with extra parameters.</summary>
    public Jail CreateJail(string name, params (string Name, string? Value)[] extra)
    {
        var r = TryCreateJail(name, extra);
        Assert.True(r.Ok, $"jail -c {name}: {r}");
        return Kernel.Jails.Find(r.Value)!;
    }

    public SysResult<int> TryCreateJail(string name, params (string Name, string? Value)[] extra)
    {
        var p = new JailParams { ["name"] = name, ["persist"] = null };
        foreach (var (n, v) in extra)
            p[n] = v;
        return Kernel.Syscalls.JailSet(Kernel.Init, p, JailFlags.Create);
    }

    public Proc RootIn(Jail jail) => Kernel.Processes.Spawn(Ucred.Root(jail), "sh", Kernel.Init).Value;

    /// <summary>The jids the test service logged an event (create or destroy) for, sorted.</summary>
    public int[] JidsLogged(string eventName) =>
        Log.Records.Where(r => r.Category == "Prison.Module." + Plugin && r.EventName == eventName && r.Jid is not null)
            .Select(r => int.Parse(r.Jid!, System.Globalization.CultureInfo.InvariantCulture)).Order().ToArray();

    public long? ReadSysctlInt(string name)
    {
        var r = Kernel.Sysctl.Read(Root, name);
        return r.Ok ? (long)r.Value : null;
    }

    /// <summary>Asserts that nothing the test module registers is left in the kernel.</summary>
    public void AssertNothingRegistered()
    {
        Assert.DoesNotContain(Kernel.Services.Registered, s => s.Name == Service);
        Assert.Null(Kernel.Jails.Parameters.Find(Parameter));
        Assert.Null(Kernel.Sysctl.Find("security.jail.param." + Parameter));
        Assert.Empty(Kernel.Sysctl.List("debug.testplugin"));
        Assert.Empty(Kernel.Sysent.Bound);
        Assert.DoesNotContain(Kernel.Modules.List(), m => m.Name == Plugin);
    }

    /// <summary>True while any load context of the test plugin is still alive in the process (McMaster names it after the file).</summary>
    public static bool AnyPluginContextAlive() => AssemblyLoadContext.All.Any(c => c.IsCollectible && c.Name == Plugin);

    public void Dispose()
    {
        Kernel.Dispose();
        _loggers.Dispose();
    }
}
