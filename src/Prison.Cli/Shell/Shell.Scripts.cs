using System.Globalization;
using Prison.Cli.Userland;

namespace Prison.Cli.Shell;

/// <summary>Scripts: <c>prison run FILE</c>, and <c>run FILE</c> / <c>. FILE</c> inside the shell.</summary>
public sealed partial class Shell
{
    /// <summary>The status of a script stopped by its time limit, as timeout(1).</summary>
    public const int TimedOutStatus = 124;

    /// <summary>
    /// Runs a script: one command per line. With <paramref name="echo"/> each command is shown behind
    /// the prompt first, so the output reads like a terminal session. Stops at the first failure unless
    /// <paramref name="keepGoing"/>, at Ctrl-C (status 130), and when <paramref name="timeout"/> passes
    /// (the running command gets SIGALRM, so a blocked call returns EINTR; status 124).
    /// </summary>
    public int RunScript(TextReader input, string scriptName, bool keepGoing, bool echo, TimeSpan? timeout)
    {
        ArgumentNullException.ThrowIfNull(input);
        var failures = 0;
        var lineNumber = 0;
        var interrupts = Volatile.Read(ref _interrupts);
        var timedOut = 0;
        using var timer = timeout is { } limit
            ? new Timer(_ =>
            {
                Volatile.Write(ref timedOut, 1);
                Interrupt(Signals.SIGALRM);
            }, null, limit, Timeout.InfiniteTimeSpan)
            : null;
        while (!HasExited && input.ReadLine() is { } line)
        {
            lineNumber++;
            var trimmed = line.Trim();
            if (trimmed.Length == 0 || trimmed.StartsWith('#'))
                continue;
            if (echo)
                Out.WriteLine(Prompt + trimmed);
            var status = Execute(line);
            if (Volatile.Read(ref timedOut) != 0)
            {
                Err.WriteLine($"prison: {scriptName}:{Num(lineNumber)}: timed out after {Seconds(timeout!.Value)} s");
                return TimedOutStatus;
            }
            if (Volatile.Read(ref _interrupts) != interrupts)
            {
                Err.WriteLine($"prison: {scriptName}:{Num(lineNumber)}: interrupted");
                return 128 + Signals.SIGINT;
            }
            if (status == 0 || HasExited)
                continue;
            failures++;
            var printable = CommandLineParser.Printable(trimmed);
            var negated = trimmed.StartsWith('!') && status == 1 && ExpectedFailureSucceeded(trimmed);
            Err.WriteLine(negated
                ? $"prison: {scriptName}:{Num(lineNumber)}: `{printable}' succeeded, but the script expected it to fail"
                : $"prison: {scriptName}:{Num(lineNumber)}: `{printable}' exited with status {Num(status)}");
            if (!keepGoing)
                return status;
        }
        if (HasExited)
            return ExitStatus;
        return failures == 0 ? 0 : 1;
    }

    /// <summary>True for a <c>! cmd</c> line (the word is exactly <c>!</c>), whose status 1 means cmd succeeded.</summary>
    private static bool ExpectedFailureSucceeded(string trimmed)
    {
        var words = CommandLineParser.Split(trimmed, out _);
        return words is { Count: > 1 } && words[0].Text == "!";
    }

    /// <summary><c>run [-k] [-t SECONDS] FILE</c> and <c>. FILE</c>: a script in the current session.</summary>
    private int RunBuiltin(IReadOnlyList<Word> words)
    {
        var name = words[0].Text;
        var keepGoing = false;
        TimeSpan? timeout = null;
        var i = 1;
        for (; name == "run" && i < words.Count && words[i].Text.StartsWith('-') && words[i].Text.Length > 1; i++)
        {
            var opt = words[i].Text;
            if (opt is "-k" or "--keep-going")
            {
                keepGoing = true;
            }
            else if ((opt is "-t" or "--timeout") && i + 1 < words.Count && TryParseSeconds(words[i + 1].Text, out var limit))
            {
                timeout = limit;
                i++;
            }
            else
            {
                return Usage(name);
            }
        }
        if (i != words.Count - 1)
            return Usage(name);
        var path = words[i].Text;
        TextReader reader;
        try
        {
            reader = new StreamReader(path);
        }
        catch (Exception ex) when (FileErrors.IsFileError(ex))
        {
            Err.WriteLine($"{name}: {CommandLineParser.Printable(path)}: {FileErrors.Describe(ex, path)}");
            return name == "." ? 2 : 66;
        }
        using (reader)
            return RunScript(reader, Path.GetFileName(path), keepGoing, echo: name == "run", timeout);
    }

    private int Usage(string name)
    {
        Err.WriteLine("usage: " + CommandUsage.Find(name)!.Synopsis);
        return 2;
    }

    /// <summary>A time limit in seconds (fractions allowed), greater than 0.</summary>
    public static bool TryParseSeconds(string text, out TimeSpan value)
    {
        value = default;
        if (!double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds) || seconds <= 0 || seconds > 86400 * 365)
            return false;
        value = TimeSpan.FromSeconds(seconds);
        return true;
    }

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);

    private static string Num(int n) => n.ToString(CultureInfo.InvariantCulture);
}
