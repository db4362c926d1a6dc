namespace Prison.Cli.Tests;

public class ShellTests
{
    [Fact]
    public void Unknown_commands_and_syntax_errors_get_one_line_and_a_status()
    {
        using var s = new Session();
        Assert.Equal("prison: frobnicate: not found\n", s.Fails("frobnicate", 127));
        Assert.Equal("prison: syntax error: unterminated quoted string\n", s.Fails("echo 'abc", 2));
        Assert.Equal("prison: syntax error: unterminated quoted string\n", s.Fails("echo \"abc", 2));
        Assert.Equal("prison: syntax error: backslash at end of line\n", s.Fails("echo abc\\", 2));
    }

    [Fact]
    public void Quoting_follows_sh()
    {
        using var s = new Session();
        Assert.Equal("a b|c 'd' \"e\" f#g\n", s.Ok("echo 'a b'|c \"'d'\" '\"e\"' f#g # comment"));
        Assert.Equal("x y\n", s.Ok("echo x\\ y"));
        Assert.Equal("\n", s.Ok("echo ''"));
        Assert.Equal("", s.Ok("   # only a comment"));
        Assert.Equal("", s.Ok(""));
    }

    [Fact]
    public void Bang_inverts_the_status()
    {
        using var s = new Session();
        Assert.Equal(0, s.Run("! jail -c name=x bogus=1").Status);
        Assert.Equal(1, s.Run("! echo hi").Status);
    }

    [Fact]
    public void History_lists_the_session_and_exit_ends_it()
    {
        using var s = new Session();
        s.Ok("echo one");
        s.Ok("echo two");
        Assert.Equal("    1  echo one\n    2  echo two\n    3  history\n", s.Ok("history"));
        Assert.Contains("jexec", s.Ok("help"));
        Assert.Equal(3, s.Run("exit 3").Status);
        Assert.True(s.Shell.HasExited);
        Assert.Equal(3, s.Shell.ExitStatus);
    }

    [Fact]
    public void Exit_rejects_bad_status()
    {
        using var s = new Session();
        Assert.Equal("usage: exit [status]\n", s.Fails("exit x", 64));
        Assert.Equal("usage: exit [status]\n", s.Fails("exit 99999999999999999999", 64));
        Assert.False(s.Shell.HasExited);
    }

    [Fact]
    public void Interactive_loop_prints_prompts_and_stops_at_exit()
    {
        using var kernel = new Prison.Core.Kernel();
        var output = new StringWriter();
        var error = new StringWriter();
        using var shell = new Shell.Shell(kernel, output, error);
        shell.Execute("jail -c name=pg1 persist");
        output.GetStringBuilder().Clear();
        var status = shell.Interactive(new StringReader("jexec pg1\nsysctl -n security.jail.jailid\nexit\nexit 4\necho never\n"));
        Assert.Equal(4, status);
        Assert.Equal("# pg1# 1\npg1# # ", output.ToString());
    }

    [Fact]
    public void Interactive_loop_ends_at_end_of_input()
    {
        using var kernel = new Prison.Core.Kernel();
        var output = new StringWriter();
        using var shell = new Shell.Shell(kernel, output, new StringWriter());
        Assert.Equal(127, shell.Interactive(new StringReader("nosuch\n")));
        Assert.Equal("# # \n", output.ToString());
    }

    [Fact]
    public void Script_echoes_behind_the_prompt_and_stops_at_the_first_failure_naming_the_line()
    {
        using var kernel = new Prison.Core.Kernel();
        var output = new StringWriter();
        using var shell = new Shell.Shell(kernel, output, output);
        var status = shell.RunScript(new StringReader("# setup\njail -c name=pg1 persist\n\njexec pg1\njail -c name=x sysvshm=new\necho not reached\n"), "t.prison", keepGoing: false, echo: true);
        Assert.Equal(1, status);
        Assert.Equal(
            "# jail -c name=pg1 persist\n" +
            "# jexec pg1\n" +
            "pg1# jail -c name=x sysvshm=new\njail: unknown parameter: sysvshm\n" +
            "prison: t.prison:5: `jail -c name=x sysvshm=new' exited with status 1\n", output.ToString());
    }

    [Fact]
    public void Script_keep_going_runs_everything_and_fails_at_the_end()
    {
        using var kernel = new Prison.Core.Kernel();
        var output = new StringWriter();
        using var shell = new Shell.Shell(kernel, output, output);
        var status = shell.RunScript(new StringReader("nosuch\necho after\n"), "t.prison", keepGoing: true, echo: false);
        Assert.Equal(1, status);
        Assert.Equal("prison: nosuch: not found\nprison: t.prison:1: `nosuch' exited with status 127\nafter\n", output.ToString());
    }

    [Fact]
    public void Dispose_ends_every_process_the_session_started()
    {
        using var kernel = new Prison.Core.Kernel();
        var shell = new Shell.Shell(kernel, TextWriter.Null, TextWriter.Null);
        shell.Execute("jail -c name=pg1 persist");
        shell.Execute("jexec pg1");
        Assert.Equal(3, kernel.Processes.All.Count);
        shell.Dispose();
        Assert.Single(kernel.Processes.All);
    }
}
