using Prison.Core;
using Prison.Core.Ipc;
using Prison.Testing;
using static Prison.Cli.Tests.Snapshots.SnapshotScenarios;

namespace Prison.Cli.Tests.Snapshots;

/// <summary>The same scenario gives the same text: twice in one kernel, in two kernels, on the manual and on the real clock.</summary>
public class SnapshotDeterminismTests
{
    private static readonly string[] AllModules = ["sysvshm", "sysvsem", "sysvmsg", "zfs"];

    private static string RunEverything(TimeProvider? time)
    {
        using var k = Boot(time, AllModules);
        RunScenarios(k);
        var first = k.Snapshot();
        Assert.Equal(first, k.Snapshot());
        return first;
    }

    private static void RunScenarios(Kernel k)
    {
        Shm(k);
        Sem(k);
        Msg(k);
        Zfs(k);
    }

    [Fact]
    public void Two_kernels_running_the_same_scenario_give_identical_text()
    {
        var a = RunEverything(new ManualTimeProvider());
        var b = RunEverything(new ManualTimeProvider());
        Assert.Equal(a, b);
    }

    [Fact]
    public void The_start_time_of_the_clock_does_not_matter()
    {
        var a = RunEverything(new ManualTimeProvider());
        var b = RunEverything(new ManualTimeProvider(new DateTimeOffset(2031, 7, 9, 13, 45, 10, TimeSpan.Zero)));
        Assert.Equal(a, b);
    }

    /// <summary>
    /// On the real clock every step of a fast scenario falls in the same second, so every time scrubs to
    /// Time_1. A run that straddles a second boundary is not a counter-example (two distinct times are
    /// then real state) and is run again, at most a few times.
    /// </summary>
    [Fact]
    public void The_real_clock_gives_identical_text_thanks_to_time_tokens()
    {
        var a = RunWithinOneSecond();
        var b = RunWithinOneSecond();
        Assert.Equal(a, b);
        Assert.Contains("Time_1", a, StringComparison.Ordinal);
        Assert.DoesNotContain("Time_2", a, StringComparison.Ordinal);
    }

    [Fact]
    public void A_change_of_state_changes_the_text()
    {
        using var k = Boot(null, "sysvmsg");
        Msg(k);
        var before = k.Snapshot("sysvmsg");
        var p = Spawn(k, k.Jails.FindVisible(k.Prison0, "mq")!, 0);
        Assert.Equal(Errno.OK, k.Syscalls.MsgSnd(p, IdOfOnlyQueue(before), 9, "x"u8, 1, 0));
        var after = k.Snapshot("sysvmsg");
        Assert.NotEqual(before, after);
        Assert.Contains("type=9 length=1", after, StringComparison.Ordinal);
    }

    /// <summary>The scenarios on the real clock, in a run whose steps (not the module loads) fit in one second.</summary>
    private static string RunWithinOneSecond()
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            using var k = Boot(TimeProvider.System, AllModules);
            var start = TimeProvider.System.GetUtcNow().ToUnixTimeSeconds();
            RunScenarios(k);
            if (TimeProvider.System.GetUtcNow().ToUnixTimeSeconds() == start)
                return k.Snapshot();
        }
        Assert.Fail("twenty runs in a row straddled a second boundary");
        return "";
    }

    private static int IdOfOnlyQueue(string section)
    {
        var line = section.Split('\n').Single(l => l.StartsWith("    ", StringComparison.Ordinal) && l.Contains("key=42", StringComparison.Ordinal));
        return int.Parse(line.Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
    }
}
