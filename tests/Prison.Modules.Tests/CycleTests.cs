using System.Diagnostics;
using System.Globalization;
using Prison.Core.Modules;
using Xunit.Abstractions;
using static Prison.Modules.Tests.ModuleTestKernel;

namespace Prison.Modules.Tests;

public class CycleTests(ITestOutputHelper output)
{
    private const int Cycles = 200;

    [Fact]
    public void Two_hundred_load_unload_cycles_collect_every_context()
    {
        // Count log events without keeping them: the measurement is of the kernel, not of the test's log.
        using var t = new ModuleTestKernel(keepLogRecords: false);
        t.CreateJail("a");
        t.CreateJail("b");
        // Warm up once, so the measurement does not include the first JIT of the loader itself.
        Assert.True(t.Kldload().Ok);
        Assert.True(t.Kldunload().Ok);
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var loading = new Stopwatch();
        var unloading = new Stopwatch();

        for (var i = 0; i < Cycles; i++)
        {
            loading.Start();
            var loaded = t.Kldload();
            loading.Stop();
            Assert.True(loaded.Ok, $"cycle {i}: {loaded}");
            unloading.Start();
            var unloaded = t.Kldunload();
            unloading.Stop();
            Assert.True(unloaded.Ok, $"cycle {i}: {unloaded}");
            // Unload removes a module from kldstat only once its context was verified collected.
            Assert.True(t.Kernel.Modules.List().Count == 0, $"cycle {i}: {string.Join(", ", t.Kernel.Modules.List())}");
        }

        var after = GC.GetTotalMemory(forceFullCollection: true);
        Assert.False(AnyPluginContextAlive());
        Assert.Equal((Cycles + 1) * 3, t.Log.EventCount("destroy"));
        Assert.DoesNotContain(t.Kernel.Modules.List(), m => m.State == ModuleState.Leaked);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{Cycles} kldload/kldunload cycles with 3 jails: {(loading.Elapsed + unloading.Elapsed).TotalMilliseconds / Cycles:F2} ms per cycle " +
            $"(load {loading.Elapsed.TotalMilliseconds / Cycles:F2} ms, verified unload {unloading.Elapsed.TotalMilliseconds / Cycles:F2} ms), " +
            $"managed heap {before / 1024.0:F0} KiB -> {after / 1024.0:F0} KiB ({(after - before) / 1024.0:+0;-0} KiB, " +
            $"{(after - before) / (double)Cycles:F0} bytes per cycle)"));
    }
}
