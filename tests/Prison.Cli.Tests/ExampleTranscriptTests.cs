using Prison.Testing;

namespace Prison.Cli.Tests;

/// <summary>
/// Every script in examples/ runs through the binary's entry point; its transcript (commands, output and
/// errors, interleaved as on a terminal) must match the verified file beside this test. These need the
/// real sysvshm, sysvsem, sysvmsg and zfs plugins in the plugins folder.
/// </summary>
public class ExampleTranscriptTests
{
    private static string Transcript(string example)
    {
        var terminal = new StringWriter();
        var status = PrisonApp.Run(["run", RepoPaths.Example(example)], TextReader.Null, terminal, terminal);
        terminal.WriteLine($"[exit status {status}]");
        return terminal.ToString();
    }

    [Fact]
    public void Basic() => Approvals.Verify(Transcript("basic.prison"));

    [Fact]
    public void PostgresJails() => Approvals.Verify(Transcript("postgres-jails.prison"));

    [Fact]
    public void LoadAfterJails() => Approvals.Verify(Transcript("load-after-jails.prison"));

    [Fact]
    public void ZfsJail() => Approvals.Verify(Transcript("zfs-jail.prison"));

    [Fact]
    public void JailDescriptors() => Approvals.Verify(Transcript("jail-descriptors.prison"));

    [Fact]
    public void HierarchyRules() => Approvals.Verify(Transcript("hierarchy-rules.prison"));

    [Fact]
    public void Every_example_has_a_transcript_test()
    {
        var examples = Directory.GetFiles(Path.Combine(RepoPaths.Root(), "examples"), "*.prison").Select(f => Path.GetFileName(f)!).Order().ToArray();
        Assert.Equal(["basic.prison", "hierarchy-rules.prison", "jail-descriptors.prison", "load-after-jails.prison", "postgres-jails.prison", "zfs-jail.prison"], examples);
    }

    [Fact]
    public void Ipc_script_runs_on_a_kernel_with_the_three_modules()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var status = PrisonApp.Run(["ipc-script"], new StringReader("shmget IPC_PRIVATE 4096 IPC_CREAT|0600\n# comment\nsemget IPC_PRIVATE 1 IPC_CREAT|0600\nmsgget IPC_PRIVATE IPC_CREAT|0600\n"), output, error);
        Assert.True(status == 0, error.ToString());
        Assert.Equal("ok $0\nok $1\nok $2\n", output.ToString()); // references count from $0 (spec section 5)
    }
}
