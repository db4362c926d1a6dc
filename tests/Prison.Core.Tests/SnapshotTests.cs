using Prison.Core.Jails;
using Prison.Core.Snapshots;

namespace Prison.Core.Tests;

public class SnapshotTests
{
    private static string Scenario()
    {
        using var k = new Kernel();
        k.Services.Register(new Services.JailServiceDefinition<object> { Name = "svc", Create = (_, _) => new object() });
        var pg = k.Create("pg", ("children.max", "2"), ("host.hostname", "pg.example"));
        k.Create("pg.child");
        k.RootIn(pg);
        k.Sysctl.Write(k.Init.Cred, "security.jail.mount_allowed", "1");
        k.Snapshots.Register(new Provider());
        return k.Snapshot();
    }

    [Fact]
    public void Same_scenario_gives_byte_identical_snapshots()
    {
        Assert.Equal(Scenario(), Scenario());
    }

    [Fact]
    public void Snapshot_lists_services_jails_processes_changed_sysctls_and_providers()
    {
        var text = Scenario();
        Assert.Contains("  services\n    slot 0: svc\n", text);
        Assert.Contains("    1 pg state=Alive", text);
        Assert.Contains("host.hostname=pg.example", text);
        Assert.Contains("    2 pg.child state=Alive", text);
        Assert.Contains("    pid 2 jail 1 uid 0 gid 0 sh\n", text);
        Assert.Contains("  sysctl (changed)\n    security.jail.mount_allowed=1\n", text);
        Assert.Contains("test\n  at Time_1 and Time_2, again Time_1, never 0 digest ", text);
    }

    [Fact]
    public void Snapshot_can_be_limited_to_one_section()
    {
        using var k = new Kernel();
        k.Snapshots.Register(new Provider());
        Assert.StartsWith("test\n", k.Snapshot("test"), StringComparison.Ordinal);
        Assert.Equal(Errno.EEXIST, k.Snapshots.Register(new Provider()));
    }

    private sealed class Provider : ISnapshotProvider
    {
        public string Name => "test";

        public void Write(SnapshotWriter writer) =>
            writer.Line($"at {writer.Time(1_700_000_000)} and {writer.Time(1_700_000_005)}, again {writer.Time(1_700_000_000)}, never {writer.Time(0)} digest {SnapshotWriter.Digest("abc"u8)}");
    }
}
