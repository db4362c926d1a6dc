namespace Prison.IpcScript.Tests;

/// <summary>
/// Prison against Linux: each conformance script through PrisonBackend with the three SysV modules
/// must give, line by line, what the Linux kernel gives (live through the oracle where
/// <c>unshare --ipc</c> works, and always against the recorded Linux output). Needs the real modules.
/// </summary>
public class ConformanceModuleTests
{
    public static TheoryData<string> Scripts => new(Conformance.Scripts);

    [Theory]
    [MemberData(nameof(Scripts))]
    public void Prison_gives_the_recorded_linux_output(string name) =>
        Conformance.AssertSame(name, Conformance.Recorded(name), Conformance.RunPrison(name), "linux", "prison");

    [SkippableTheory]
    [MemberData(nameof(Scripts))]
    public void Prison_and_the_live_oracle_agree(string name)
    {
        // A real skip: xUnit reports it as skipped, with the reason, not as passed.
        Skip.If(Conformance.OracleUnavailable is not null, Conformance.OracleUnavailable);
        Conformance.AssertSame(name, Conformance.RunOracle(name), Conformance.RunPrison(name), "linux", "prison");
    }
}
