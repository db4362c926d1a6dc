using Prison.Cli.Userland;

namespace Prison.Cli.Tests;

/// <summary>help CMD, CMD -h and CMD --help for every command, and the same usage text in errors.</summary>
public class HelpTests
{
    public static TheoryData<string> EveryCommand()
    {
        var data = new TheoryData<string>();
        foreach (var usage in CommandUsage.All)
            data.Add(usage.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(EveryCommand))]
    public void Help_and_dash_dash_help_print_the_usage(string name)
    {
        using var s = new Session();
        var expected = CommandUsage.Find(name)!.HelpText() + "\n";
        Assert.Equal(expected, s.Ok("help " + name));
        Assert.Equal(expected, s.Ok(name + " --help"));
        Assert.StartsWith("usage: " + name.Replace(".", ". ", StringComparison.Ordinal)[..name.Length], expected, StringComparison.Ordinal);
        if (!CommandUsage.Find(name)!.OwnsDashH)
            Assert.Equal(expected, s.Ok(name + " -h"));
    }

    [Fact]
    public void Every_command_of_the_shell_has_a_usage()
    {
        using var s = new Session();
        var missing = s.Shell.CommandNamesForTests().Where(n => CommandUsage.Find(n) is null).ToArray();
        Assert.Empty(missing);
        foreach (var op in new[] { "shmget", "shmat", "shmdt", "shmctl", "shmwrite", "shmread", "semget", "semop", "semctl", "msgget", "msgsnd", "msgrcv", "msgctl", "setuid", "setgid", "limit" })
            Assert.NotNull(CommandUsage.Find(op));
    }

    [Theory]
    [InlineData("shmget", "usage: shmget KEY SIZE FLAGS")]
    [InlineData("msgsnd 1", "usage: msgsnd REF TYPE TEXT FLAGS [SIZE]")]
    [InlineData("semop", "usage: semop REF SOPS")]
    [InlineData("msgrcv 1 2", "usage: msgrcv REF MAXSIZE MSGTYP FLAGS")]
    public void Bad_args_of_an_ipc_operation_are_followed_by_its_usage(string line, string usage)
    {
        using var s = new Session();
        s.Ok("kldload sysvshm");
        s.Ok("kldload sysvmsg");
        s.Ok("kldload sysvsem");
        Assert.Equal($"bad args\n{usage}\n", s.Fails(line, 1));
        Assert.Equal(CommandUsage.Find(line.Split(' ')[0])!.Synopsis, usage["usage: ".Length..]);
    }

    [Fact]
    public void Dash_h_stays_the_commands_own_option_where_it_has_one()
    {
        using var s = new Session();
        Assert.StartsWith("Filesystem", s.Ok("df -h"), StringComparison.Ordinal);
        Assert.DoesNotContain("usage", s.Run("jls -h").Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Help_for_an_unknown_command_fails()
    {
        using var s = new Session();
        Assert.Equal("help: no such command: nosuch\n", s.Fails("help nosuch"));
        Assert.Contains("jobs", s.Ok("help"), StringComparison.Ordinal);
    }

    [Fact]
    public void Usage_errors_of_commands_use_the_same_text_as_their_help()
    {
        using var s = new Session();
        foreach (var (line, name) in new[] { ("whoami x", "whoami"), ("id -x", "id"), ("ps x", "ps"), ("kldload", "kldload"), ("snapshot a b", "snapshot"), ("exit x", "exit") })
        {
            var error = s.Fails(line);
            var usage = CommandUsage.Find(name)!;
            Assert.Contains("usage: " + usage.Synopsis.Split('\n')[0], error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Df_prints_its_header_when_nothing_is_mounted()
    {
        using var s = new Session();
        Assert.Equal("Filesystem 512-blocks Used Avail Capacity  Mounted on\n", s.Ok("df"));
        Assert.Equal("Filesystem    Size    Used   Avail Capacity  Mounted on\n", s.Ok("df -h"));
    }
}
