namespace Prison.Cli.Tests;

public class PrisonAppTests
{
    private static (int Status, string Out, string Err) Run(string input, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var status = PrisonApp.Run(args, new StringReader(input), output, error);
        return (status, output.ToString(), error.ToString());
    }

    private static string TempScript(string text)
    {
        var path = Path.Combine(Path.GetTempPath(), $"prison-test-{Guid.NewGuid():N}.prison");
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void No_argument_opens_the_shell_on_the_given_input()
    {
        var (status, output, _) = Run("jail -c name=pg1 persist\njls -n jid name\n");
        Assert.Equal(0, status);
        Assert.Equal("# # jid=1 name=pg1\n# \n", output);
    }

    [Fact]
    public void Run_echoes_a_transcript_and_returns_0()
    {
        var path = TempScript("jail -c name=pg1 persist\njexec pg1\nsysctl security.jail.jailid\n");
        try
        {
            var (status, output, error) = Run("", "run", path);
            Assert.Equal(0, status);
            Assert.Equal("# jail -c name=pg1 persist\n# jexec pg1\npg1# sysctl security.jail.jailid\nsecurity.jail.jailid: 1\n", output);
            Assert.Equal("", error);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Run_stops_at_the_first_error_unless_keep_going()
    {
        var path = TempScript("echo one\nnosuch\necho three\n");
        try
        {
            var stopped = Run("", "run", path);
            Assert.Equal(127, stopped.Status);
            Assert.DoesNotContain("three", stopped.Out);
            Assert.Contains($"prison: {Path.GetFileName(path)}:2: `nosuch' exited with status 127", stopped.Err);
            var all = Run("", "run", "--keep-going", path);
            Assert.Equal(1, all.Status);
            Assert.Contains("three", all.Out);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Run_of_a_missing_file_fails_cleanly()
    {
        var (status, _, error) = Run("", "run", "/nonexistent/x.prison");
        Assert.Equal(66, status);
        Assert.StartsWith("prison: /nonexistent/x.prison: ", error);
    }

    [Fact]
    public void Verbose_routes_the_kernels_log_to_standard_error()
    {
        var path = TempScript("jail -c name=pg1 persist\njail -r pg1\n");
        try
        {
            var (status, _, error) = Run("", "run", "-v", path);
            Assert.Equal(0, status);
            Assert.Contains("dbug: Prison.Jail: jail 1 pg1 created under 0", error);
            Assert.Contains("dbug: Prison.Jail: jail 1 pg1 is dying", error);
            var quiet = Run("", "run", path);
            Assert.Equal("", quiet.Err);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Unknown_options_are_reported_by_the_command_line_parser()
    {
        var (status, _, error) = Run("", "--frobnicate");
        Assert.NotEqual(0, status);
        Assert.Contains("--frobnicate", error);
    }

    [Fact]
    public void Ipc_script_of_a_missing_file_fails_cleanly()
    {
        var (status, _, error) = Run("", "ipc-script", "/nonexistent/x.ipc");
        Assert.Equal(66, status);
        Assert.StartsWith("prison: /nonexistent/x.ipc: ", error);
    }
}
