using Microsoft.Extensions.Logging;
using Prison.Core;
using Prison.Core.Modules;
using Prison.Core.Sysctl;
using Prison.TestContracts;

namespace Prison.TestPlugin;

/// <summary>
/// The test module: registers the sysctl nodes <c>debug.testplugin.*</c>, the <see cref="ITestSyscalls"/>
/// contract, a contract of its own, a process exit hook and the jail service <c>testsvc</c> (with the
/// parameter <c>testsvc.level</c>), in that order. The kenv variable <c>testplugin.fail</c> injects
/// failures: <c>load</c> throws at the end of Load, <c>create:K</c> throws in the K-th create since the
/// load, <c>unload</c> refuses the unload with EBUSY.
/// </summary>
public sealed class TestModule : KernelModule
{
    /// <summary>The kenv variable that injects failures.</summary>
    public const string FailVariable = "testplugin.fail";

    /// <inheritdoc />
    public override string Name => "testplugin";

    /// <inheritdoc />
    public override void Load(ModuleContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var counters = new TestCounters();
        context.RegisterSysctl(new SysctlInt("debug.testplugin.creates", "testsvc creates since the module loaded", _ => counters.Creates));
        context.RegisterSysctl(new SysctlInt("debug.testplugin.destroys", "testsvc destroys since the module loaded", _ => counters.Destroys));
        context.RegisterSysctl(new SysctlInt("debug.testplugin.exits", "process exits seen since the module loaded", _ => counters.Exits));
        var syscalls = new TestSyscallsImpl();
        context.RegisterSyscalls<ITestSyscalls>(syscalls);
        context.RegisterSyscalls<IPrivateProbe>(new PrivateProbe());
        context.OnProcessExit(_ => counters.CountExit());
        syscalls.Slot = context.RegisterService(TestService.Definition(context.Tunables, context.Logger, counters));
        if (context.Tunables.Get(FailVariable) == "load")
            throw new InvalidOperationException("testplugin.fail=load: failing at the end of Load");
        context.Logger.LogInformation("testplugin loaded over {Jails} jails", counters.Creates);
    }

    /// <inheritdoc />
    public override Errno QueryUnload(ModuleContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Tunables.Get(FailVariable) == "unload" ? Errno.EBUSY : Errno.OK;
    }

    /// <summary>A contract only this plugin knows: its gate must not outlive the plugin.</summary>
    internal interface IPrivateProbe
    {
        int Ping();
    }

    private sealed class PrivateProbe : IPrivateProbe
    {
        public int Ping() => 1;
    }
}
