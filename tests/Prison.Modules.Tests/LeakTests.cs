using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Prison.Core.Modules;
using static Prison.Modules.Tests.ModuleTestKernel;

namespace Prison.Modules.Tests;

public class LeakTests
{
    [Fact]
    public void A_context_kept_alive_after_unload_is_listed_as_leaked_and_logged()
    {
        using var t = new ModuleTestKernel();
        var keeper = new StrongBox<object?>();
        KeepModule(t, keeper);

        var r = t.Kldunload();

        Assert.True(r.Ok, r.ToString());
        var leaked = Assert.Single(t.Kernel.Modules.List());
        Assert.Equal(ModuleState.Leaked, leaked.State);
        Assert.Null(t.Kernel.Modules.Find(Plugin));
        Assert.Contains(t.Log.Records, l => l.Level == LogLevel.Warning && l.Message.Contains("was not collected", StringComparison.Ordinal));
        // Registrations were undone all the same, and the name can be loaded again.
        Assert.Empty(t.Kernel.Sysent.Bound);
        Assert.True(t.Kldload().Ok);
        Assert.True(t.Kldunload().Ok);

        keeper.Value = null;
        Assert.True(SpinWait.SpinUntil(() =>
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            return !AnyPluginContextAlive();
        }, TimeSpan.FromSeconds(30)), "the context did not die once the reference was dropped");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void KeepModule(ModuleTestKernel t, StrongBox<object?> keeper) => keeper.Value = t.Kldload().Value.Module;
}
