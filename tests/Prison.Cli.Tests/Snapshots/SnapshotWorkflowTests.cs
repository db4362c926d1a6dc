using Prison.Core;
using Prison.Core.Ipc;
using Prison.Core.Procs;
using Prison.Testing;
using static Prison.Cli.Tests.Snapshots.SnapshotScenarios;

namespace Prison.Cli.Tests.Snapshots;

/// <summary>What a test writer meets: a failing verification, a missing section, unloading, the manual clock.</summary>
public sealed class SnapshotWorkflowTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("prison-snapshots-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_mismatch_writes_the_received_file_and_the_diff_names_the_changed_line()
    {
        var testFile = Path.Combine(_dir, "ShmTests.cs");
        var verified = Path.Combine(_dir, "ShmTests.Scenario.verified.txt");
        var received = Path.Combine(_dir, "ShmTests.Scenario.received.txt");
        using var k = Boot(null, "sysvshm");
        var (pg2Proc, pg2Address) = Shm(k);
        var approved = k.Snapshot("sysvshm");
        File.WriteAllText(verified, approved);
        Snapshot.Verify(k, "sysvshm", testFile, "Scenario");
        Assert.False(File.Exists(received));

        // pgsql02 writes into its segment: only that segment's digest changes.
        Assert.Equal(MemFault.None, k.Syscalls.ShmWrite(pg2Proc, pg2Address, "pg2"u8));
        var actual = k.Snapshot("sysvshm");

        var ex = Assert.Throws<ApprovalException>(() => Snapshot.Verify(k, "sysvshm", testFile, "Scenario"));
        Assert.Equal(actual, File.ReadAllText(received));
        Assert.Equal(approved, File.ReadAllText(verified));
        var oldLines = approved.Split('\n');
        var newLines = actual.Split('\n');
        var changed = Enumerable.Range(0, oldLines.Length).Single(i => oldLines[i] != newLines[i]);
        Assert.Contains($"key={PostgresKey} jail={pg2Proc.Jail.Id}", oldLines[changed], StringComparison.Ordinal);
        Assert.Contains($"-{changed + 1,5}| {oldLines[changed]}", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"+{changed + 1,5}| {newLines[changed]}", ex.Message, StringComparison.Ordinal);
        Assert.Contains("ShmTests.Scenario.verified.txt", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_first_run_without_a_verified_file_fails_and_leaves_the_text_to_review()
    {
        using var k = Boot(null, "sysvsem");
        Sem(k);
        var ex = Assert.Throws<ApprovalException>(() => Snapshot.Verify(k, "sysvsem", Path.Combine(_dir, "SemTests.cs"), "First"));
        Assert.Contains("No verified file SemTests.First.verified.txt", ex.Message, StringComparison.Ordinal);
        Assert.Equal(k.Snapshot("sysvsem"), File.ReadAllText(Path.Combine(_dir, "SemTests.First.received.txt")));
    }

    [Theory]
    [InlineData("sysvshm")]
    [InlineData("sysvsem")]
    [InlineData("sysvmsg")]
    [InlineData("zfs")]
    public void Unloading_a_module_removes_its_section(string module)
    {
        using var k = Boot(null, module);
        Assert.StartsWith(module + "\n", k.Snapshot(module), StringComparison.Ordinal);
        Assert.Contains("\n" + module + "\n", k.Snapshot(), StringComparison.Ordinal);

        Ok(k.Modules.Unload(Ucred.Root(k.Prison0), module), "kldunload");
        // Gone from kldstat, not listed as leaked: the snapshot registry kept nothing of the plugin alive.
        Assert.DoesNotContain(k.Modules.List(), m => m.Name == module);

        Assert.Equal("", k.Snapshot(module));
        Assert.DoesNotContain("\n" + module + "\n", k.Snapshot(), StringComparison.Ordinal);
        var ex = Assert.Throws<ArgumentException>(() => Snapshot.Verify(k, module, Path.Combine(_dir, "T.cs"), "M"));
        Assert.Contains("is its module loaded", ex.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_dir));
    }

    [Fact]
    public void The_manual_clock_moves_only_forward_and_only_when_told()
    {
        var clock = new ManualTimeProvider();
        Assert.Equal(ManualTimeProvider.DefaultStart, clock.GetUtcNow());
        clock.Advance(TimeSpan.FromSeconds(90));
        Assert.Equal(ManualTimeProvider.DefaultStart.AddSeconds(90), clock.GetUtcNow());
        clock.SetUtcNow(ManualTimeProvider.DefaultStart.AddDays(1));
        Assert.Equal(ManualTimeProvider.DefaultStart.AddDays(1), clock.GetUtcNow());
        Assert.Throws<ArgumentOutOfRangeException>(() => clock.SetUtcNow(ManualTimeProvider.DefaultStart));
        Assert.Throws<ArgumentOutOfRangeException>(() => clock.Advance(TimeSpan.FromSeconds(-1)));
        Assert.Equal(ManualTimeProvider.DefaultStart.AddDays(1), clock.GetUtcNow());
        Assert.Equal(TimeZoneInfo.Utc, clock.LocalTimeZone);
    }

    [Fact]
    public void Times_written_by_a_provider_follow_the_manual_clock()
    {
        var clock = new ManualTimeProvider();
        using var k = Boot(clock, "sysvshm");
        var p = Spawn(k, k.Prison0, 0);
        var id = Ok(k.Syscalls.ShmGet(p, 1, 4096, IpcConstants.IPC_CREAT | 0x180), "shmget");
        var ds = default(ShmidDs);
        Ok(k.Syscalls.ShmCtl(p, id, IpcConstants.IPC_STAT, ref ds), "shmctl IPC_STAT");
        Assert.Equal(ManualTimeProvider.DefaultStart.ToUnixTimeSeconds(), ds.Ctime);
        clock.Advance(TimeSpan.FromSeconds(5));
        Ok(k.Syscalls.ShmAt(p, id, 0, 0), "shmat");
        Assert.Contains("ctime=Time_1 atime=Time_2 dtime=0", k.Snapshot("sysvshm"), StringComparison.Ordinal);
    }
}
