using static Prison.Cli.Tests.Snapshots.SnapshotScenarios;

namespace Prison.Cli.Tests.Snapshots;

/// <summary><c>snapshot [SECTION]</c> in the shell.</summary>
public class SnapshotCommandTests
{
    [Fact]
    public void Host_root_sees_the_whole_snapshot_or_one_section()
    {
        using var s = new Session(Boot(null, "sysvshm"));
        Shm(s.Kernel);
        // The command's own process is in the processes it prints; otherwise it is the kernel's snapshot.
        var printed = s.Ok("snapshot").Split('\n');
        var own = Assert.Single(printed, l => l.EndsWith(" snapshot", StringComparison.Ordinal));
        Assert.StartsWith("    pid ", own, StringComparison.Ordinal);
        Assert.Equal(s.Kernel.Snapshot(), string.Join('\n', printed.Where(l => l != own)));
        Assert.Equal(s.Kernel.Snapshot("sysvshm"), s.Ok("snapshot sysvshm"));
        Assert.StartsWith("kernel\n  modules\n", s.Ok("snapshot kernel"), StringComparison.Ordinal);
    }

    [Fact]
    public void Root_in_a_jail_is_refused()
    {
        using var s = new Session(Boot(null, "sysvshm"));
        s.Ok("jail -c name=pg1 persist sysvshm=new");
        Assert.Equal("snapshot: Operation not permitted\n", s.Fails("jexec pg1 snapshot"));
        Assert.Equal("snapshot: Operation not permitted\n", s.Fails("jexec pg1 snapshot sysvshm"));
    }

    [Fact]
    public void Unknown_sections_and_extra_words_fail()
    {
        using var s = new Session(Boot(null));
        Assert.Equal("snapshot: sysvshm: no such section (kernel, or a loaded module that writes one)\n", s.Fails("snapshot sysvshm"));
        Assert.Equal("usage: snapshot [section]\n", s.Fails("snapshot kernel sysvshm", 64));
        Assert.Equal("usage: snapshot [section]\n", s.Fails("snapshot -v", 64));
    }
}
