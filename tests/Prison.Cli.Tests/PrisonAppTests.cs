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
        Assert.Equal("prison: /nonexistent/x.prison: No such file or directory\n", error);
    }

    [Fact]
    public void File_errors_read_as_strerror_not_as_dotnet_messages()
    {
        var dir = Path.GetTempPath();
        Assert.Equal("prison: nosuch.prison: No such file or directory\n", Run("", "run", "nosuch.prison").Err);
        Assert.Equal($"prison: {dir}: Is a directory\n", Run("", "run", dir).Err);
        Assert.Equal($"prison: {dir}: Is a directory\n", Run("", "ipc-script", dir).Err);
        var (_, output, error) = Run("run nosuch.prison\n. /nonexistent/y\nrun " + dir + "\n");
        Assert.Equal($"run: nosuch.prison: No such file or directory\n.: /nonexistent/y: No such file or directory\nrun: {dir}: Is a directory\n", error);
        Assert.DoesNotContain("Could not", output + error, StringComparison.Ordinal);
    }

    [Fact]
    public void Ipc_script_exits_1_when_a_line_was_bad_and_0_when_only_calls_failed()
    {
        var bad = Run("msgget IPC_PRIVATE IPC_CREAT|0600\nshmget\nmsgrcv $0 64 0 IPC_NOWAIT\n", "ipc-script");
        Assert.Equal((1, "ok $0\nbad args\nerr ENOMSG\n"), (bad.Status, bad.Out));
        var good = Run("msgget IPC_PRIVATE IPC_CREAT|0600\nmsgrcv $0 64 0 IPC_NOWAIT\n", "ipc-script");
        Assert.Equal((0, "ok $0\nerr ENOMSG\n"), (good.Status, good.Out));
    }

    [Fact]
    public void Ipc_script_timing_reports_each_phase_on_stderr_and_leaves_the_results_alone()
    {
        var path = TempScript("semget IPC_PRIVATE 1 0600\n# a comment\nsemop $0 0:1:0\n");
        try
        {
            var (status, output, error) = Run("", "ipc-script", "--timing", path);
            Assert.Equal((0, "ok $0\nok\n"), (status, output));
            foreach (var phase in (string[])["timing: boot and kldload", "timing: script, 3 lines:", "timing:   read", "timing:   execute", "timing:   write", "timing: shutdown"])
                Assert.Contains(phase, error, StringComparison.Ordinal);
            Assert.Equal("", Run("", "ipc-script", path).Err); // nothing without the option
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Ipc_script_from_a_file_writes_the_same_bytes_through_its_buffered_console_output()
    {
        // The binary itself: only there is the output the console's (buffered for a script file).
        var path = TempScript("semget IPC_PRIVATE 1 0600\nsemop $0 0:1:0\nsemop $0 0:-2:IPC_NOWAIT\nshmget\n");
        try
        {
            var start = new System.Diagnostics.ProcessStartInfo("dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "prison.dll"));
            start.ArgumentList.Add("ipc-script");
            start.ArgumentList.Add(path);
            using var process = System.Diagnostics.Process.Start(start)!;
            using var bytes = new MemoryStream();
            process.StandardOutput.BaseStream.CopyTo(bytes);
            var error = process.StandardError.ReadToEnd();
            Assert.True(process.WaitForExit(60_000), "prison ipc-script did not exit");
            Assert.Equal("", error);
            Assert.Equal(1, process.ExitCode); // the bad line
            // No byte-order mark, one \n per line: byte for byte what the oracle and the C program print.
            Assert.Equal("ok $0\nok\nerr EAGAIN\nbad args\n"u8.ToArray(), bytes.ToArray());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Ipc_script_still_reports_a_call_that_would_sleep_as_skip_blocking()
    {
        var (status, output, _) = Run("msgget IPC_PRIVATE IPC_CREAT|0600\nmsgrcv $0 64 0 0\nsemget IPC_PRIVATE 1 IPC_CREAT|0600\nsemop $1 0:-1:0\n", "ipc-script");
        Assert.Equal((0, "ok $0\nskip blocking\nok $1\nskip blocking\n"), (status, output));
    }

    [Fact]
    public void A_bang_line_that_succeeds_is_reported_as_an_unexpected_success()
    {
        var path = TempScript("! echo surprise\n");
        try
        {
            var (status, _, error) = Run("", "run", path);
            Assert.Equal(1, status);
            Assert.Equal($"prison: {Path.GetFileName(path)}:1: `! echo surprise' succeeded, but the script expected it to fail\n", error);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Run_timeout_stops_a_script_that_blocks_forever_and_exits_124()
    {
        var path = TempScript("kldload sysvmsg\nmsgget IPC_PRIVATE IPC_CREAT|0600\nmsgrcv $0 64 0 0\necho never\n");
        try
        {
            var (status, output, error) = Run("", "run", "--timeout", "0.3", path);
            Assert.Equal(124, status);
            Assert.DoesNotContain("never", output, StringComparison.Ordinal);
            Assert.Equal($"err EINTR\nprison: {Path.GetFileName(path)}:3: timed out after 0.3 s\n", error);
            Assert.Contains("--timeout", Run("", "run", "--timeout", "zero", path).Err, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Run_and_dot_inside_the_shell_run_a_script_in_the_current_session()
    {
        var path = TempScript("jail -c name=inner persist\necho from-script\n");
        try
        {
            var (status, output, _) = Run($"run {path}\njls -n -j inner name\n");
            Assert.Equal(0, status);
            Assert.Contains("# echo from-script\nfrom-script\n", output, StringComparison.Ordinal);
            // The jail the script made lives on in the session.
            Assert.Contains("name=inner", output, StringComparison.Ordinal);
            Assert.Contains("jail: ", Run($". {path}\n. {path}\n").Err, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
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
