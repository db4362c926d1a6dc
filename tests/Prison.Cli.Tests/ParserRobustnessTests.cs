using System.Text;

namespace Prison.Cli.Tests;

/// <summary>Random and malformed lines never crash the shell; each failing line gets exactly one error line.</summary>
public class ParserRobustnessTests
{
    private static readonly string[] Commands =
    [
        "jail", "jls", "jexec", "kldload", "kldunload", "kldstat", "sysctl", "ipcs", "ipcrm", "pw", "whoami",
        "id", "ps", "hostname", "kenv", "echo", "exit", "history", "!", "nosuch", "shmget", "semop",
        "jobs", "fg", "wait", "kill", "run", ".", "help",
    ];

    private static readonly string[] Pieces =
    [
        "-c", "-m", "-r", "-n", "-v", "-j", "-u", "-a", "-M", "-q", "-S", "-f", "-x", "--", "--json", "--bogus",
        "name=pg1", "persist", "nopersist", "allow.nomount", "sysvshm=new", "children.max=-1", "jid=0", "jid=99999999999",
        "pg1", "0", "-1", "4294967296", "99999999999999999999999", "", "''", "\"\"", "'unterminated", "\"open",
        "\\", "a\\ b", "#", "x#y", "=", "==", "name=", "=value", "useradd", "groupadd", "IPC_CREAT|0600", "$1", "@1",
        "security.jail.jailid", "kern.hostname=x", "\u0000", "\u0007", "\u00e9\u00e8", "\ud800", "\u2028",
    ];

    /// <summary>
    /// A command that takes several operands reports each bad one, as FreeBSD's do (sysctl a b c), so a
    /// random line may give one error line per operand, never more.
    /// </summary>
    [Fact]
    public void Random_lines_never_crash_and_give_at_most_one_error_line_per_word()
    {
        const int seed = 20240611;
        var random = new Random(seed);
        using var s = new Session();
        s.Ok("jail -c name=pg1 persist children.max=3");
        for (var i = 0; i < 1500; i++)
        {
            var line = RandomLine(random);
            var (status, _, error) = s.Run(line);
            // A usage message (usage: ... and its indented continuation lines) follows an error, and kill's
            // list of valid signals follows its "unknown signal"; neither is an error of its own.
            var errorLines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Where(l => !l.StartsWith("usage: ", StringComparison.Ordinal) && !l.StartsWith("       ", StringComparison.Ordinal)
                    && l != "HUP INT QUIT KILL ALRM TERM USR1 USR2").ToArray();
            var words = Math.Max(1, line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length - 1);
            Assert.True(errorLines.Length <= words || IsMultiFacilityIpcs(errorLines),
                $"seed {seed}, line {i}: `{Escape(line)}' -> status {status}, {errorLines.Length} error lines:\n{error}");
            Assert.True(status != 70, $"seed {seed}, line {i}: `{Escape(line)}' crashed a command: {error}");
            if (status != 0 && !line.TrimStart().StartsWith('!'))
                Assert.True(error.Length > 0 || IsQuietFailure(line), $"seed {seed}, line {i}: `{Escape(line)}' failed with status {status} and no error line");
            if (s.Shell.HasExited)
                break;
        }
    }

    [Theory]
    [InlineData("jail -c name=\u0000")]
    [InlineData("jls -j \u0007\u0008")]
    [InlineData("sysctl \u001b[31mred")]
    [InlineData("'\u0000")]
    [InlineData("\u0001\u0002\u0003")]
    [InlineData("ipcrm -m 1e9")]
    [InlineData("jexec -u")]
    [InlineData("kldunload -i")]
    [InlineData("pw useradd x -u -5")]
    [InlineData("kenv =")]
    public void Junk_gets_one_printable_error_line(string line)
    {
        using var s = new Session();
        var (status, _, error) = s.Run(line);
        Assert.NotEqual(0, status);
        // One error line, which the command's usage may follow.
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1 || (lines.Length == 2 && lines[1].StartsWith("usage: ", StringComparison.Ordinal)), error);
        Assert.DoesNotContain(lines[0], c => char.IsControl(c));
    }

    [Fact]
    public void Very_long_lines_are_refused()
    {
        using var s = new Session();
        var error = s.Fails("echo " + new string('x', 100_000), 2);
        Assert.StartsWith("prison: line too long", error);
    }

    private static string RandomLine(Random random)
    {
        if (random.Next(10) == 0)
        {
            var bytes = new byte[random.Next(1, 40)];
            random.NextBytes(bytes);
            return Encoding.Latin1.GetString(bytes).Replace('\n', ' ').Replace('\r', ' ');
        }
        var sb = new StringBuilder(Commands[random.Next(Commands.Length)]);
        if (sb.ToString() == "exit")
            sb.Append(" x");
        var count = random.Next(0, 6);
        for (var k = 0; k < count; k++)
            sb.Append(' ').Append(Pieces[random.Next(Pieces.Length)]);
        return sb.ToString();
    }

    private static bool IsMultiFacilityIpcs(string[] lines) => lines.All(l => l.StartsWith("SVID ", StringComparison.Ordinal));

    // Commands that fail without a message by design (-q options, ! inversion of a success).
    private static bool IsQuietFailure(string line) => line.Contains(" -q", StringComparison.Ordinal);

    private static string Escape(string s) => Shell.CommandLineParser.Printable(s);
}
