namespace Prison.IpcScript.Tests;

/// <summary>
/// The Linux side of the conformance test: each script, run by the oracle in a fresh IPC namespace,
/// still gives the recorded output (which was checked by reading it). Skipped, with a message, where
/// <c>unshare --ipc</c> cannot run.
/// </summary>
public class OracleConformanceTests
{
    public static TheoryData<string> Scripts => new(Conformance.Scripts);

    [SkippableTheory]
    [MemberData(nameof(Scripts))]
    public void The_linux_kernel_gives_the_recorded_output(string name)
    {
        // A real skip: xUnit reports it as skipped, with the reason, not as passed.
        Skip.If(Conformance.OracleUnavailable is not null, Conformance.OracleUnavailable);
        Conformance.AssertSame(name, Conformance.Recorded(name), Conformance.RunOracle(name), "recorded", "linux");
    }

    [Fact]
    public void Every_script_line_has_one_recorded_result()
    {
        foreach (var name in Conformance.Scripts)
            Assert.Equal(Conformance.ScriptLines(name).Length, Conformance.Recorded(name).Length);
    }
}
