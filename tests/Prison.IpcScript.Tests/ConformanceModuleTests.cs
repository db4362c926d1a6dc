using Xunit.Abstractions;

namespace Prison.IpcScript.Tests;

/// <summary>
/// Prison against Linux: each conformance script through PrisonBackend with the three SysV modules
/// must give, line by line, what the Linux kernel gives (live through the oracle where
/// <c>unshare --ipc</c> works, and always against the recorded Linux output). Needs the real modules.
/// </summary>
public class ConformanceModuleTests(ITestOutputHelper output)
{
    public static TheoryData<string> Scripts => new(Conformance.Scripts);

    [Theory]
    [MemberData(nameof(Scripts))]
    public void Prison_gives_the_recorded_linux_output(string name) =>
        Conformance.AssertSame(name, Conformance.Recorded(name), Conformance.RunPrison(name), "linux", "prison");

    [Theory]
    [MemberData(nameof(Scripts))]
    public void Prison_and_the_live_oracle_agree(string name)
    {
        if (Conformance.OracleUnavailable is { } why)
        {
            output.WriteLine($"SKIPPED: {why}");
            return;
        }
        Conformance.AssertSame(name, Conformance.RunOracle(name), Conformance.RunPrison(name), "linux", "prison");
    }
}
