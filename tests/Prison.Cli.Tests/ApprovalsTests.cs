using Prison.Testing;

namespace Prison.Cli.Tests;

public class ApprovalsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("prison-approvals-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Verified => Path.Combine(_dir, "T.M.verified.txt");

    private string Received => Path.Combine(_dir, "T.M.received.txt");

    [Fact]
    public void Matching_text_passes_and_removes_a_stale_received_file()
    {
        File.WriteAllText(Verified, "a\nb\n");
        File.WriteAllText(Received, "old");
        Approvals.VerifyFile("a\r\nb", Verified, Received);
        Assert.False(File.Exists(Received));
    }

    [Fact]
    public void A_mismatch_writes_the_received_file_and_shows_a_diff()
    {
        File.WriteAllText(Verified, "one\ntwo\nthree\n");
        var ex = Assert.Throws<ApprovalException>(() => Approvals.VerifyFile("one\n2\nthree\n", Verified, Received));
        Assert.Equal("one\n2\nthree\n", File.ReadAllText(Received));
        Assert.Contains("-    2| two", ex.Message);
        Assert.Contains("+    2| 2", ex.Message);
    }

    [Fact]
    public void A_missing_verified_file_fails_and_leaves_the_received_one()
    {
        var ex = Assert.Throws<ApprovalException>(() => Approvals.VerifyFile("text", Verified, Received));
        Assert.Contains("No verified file", ex.Message);
        Assert.Equal("text\n", File.ReadAllText(Received));
        Assert.False(File.Exists(Verified));
    }

    [Fact]
    public void The_caller_overload_names_files_after_the_test_class_and_method()
    {
        var file = Path.Combine(_dir, "MyTests.cs");
        var ex = Assert.Throws<ApprovalException>(() => Approvals.Verify("x", file, "MyMethod"));
        Assert.Contains("MyTests.MyMethod.verified.txt", ex.Message);
        Assert.True(File.Exists(Path.Combine(_dir, "MyTests.MyMethod.received.txt")));
    }

    [Fact]
    public void Diff_shows_context_and_gaps()
    {
        var expected = string.Join('\n', Enumerable.Range(1, 20).Select(i => $"line {i}"));
        var actual = expected.Replace("line 3", "LINE 3", StringComparison.Ordinal).Replace("line 17", "LINE 17", StringComparison.Ordinal);
        var diff = LineDiff.Render(expected, actual);
        Assert.Contains("@@", diff);
        Assert.Contains("-    3| line 3", diff);
        Assert.Contains("+   17| LINE 17", diff);
        Assert.DoesNotContain("line 10", diff);
    }
}
