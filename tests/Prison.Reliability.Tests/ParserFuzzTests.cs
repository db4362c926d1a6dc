using FsCheck;
using FsCheck.Fluent;
using Microsoft.FSharp.Core;
using Prison.Cli;
using Prison.Core;
using Prison.Core.Procs;
using Prison.IpcScript;
using Prison.Plugins.SysvMsg;
using Prison.Plugins.SysvSem;
using Prison.Plugins.SysvShm;

namespace Prison.Reliability.Tests;

/// <summary>
/// Fuzzing the text front ends: the shell, the <c>prison</c> command line, and the IPC script language,
/// with token soups and random characters. No crash, no hang (each property runs under a bound), one
/// clear error line for a line that does not parse, and such a line changes nothing.
/// </summary>
public class ParserFuzzTests
{
    private const ulong Seed = 20250611;
    private const ulong Gamma = 0x9E3779B97F4A7C15;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private static readonly string[] ShellWords =
    [
        "jail", "jls", "jexec", "kldload", "kldunload", "kldstat", "sysctl", "ipcs", "ipcrm", "pw", "id", "ps",
        "hostname", "kenv", "echo", "history", "zfs", "zpool", "nosuch", "-c", "-r", "-m", "-q", "-s", "-v", "-f",
        "name=fz", "persist", "sysvshm=new", "sysvsem=inherit", "sysvmsg=disable", "children.max=2", "jid=-1",
        "jid=99999999999", "fz", "0", "-1", "4294967296", "sysvshm", "zfs", "tank/x", "kern.ipc.shmmax=1",
        "'quoted words'", "\"open", "'open", "a\\ b", "\\", "#", "=", "name=", "=v", "\u0000", "\u001b[1m", "\u00e9",
    ];

    private static readonly string[] ScriptWords =
    [
        "shmget", "shmat", "shmdt", "shmctl", "shmwrite", "shmread", "semget", "semop", "semctl", "msgget", "msgsnd",
        "msgrcv", "msgctl", "setuid", "setgid", "limit", "bogus", "IPC_PRIVATE", "IPC_CREAT|0600", "IPC_EXCL", "IPC_NOWAIT",
        "IPC_RMID", "IPC_STAT", "IPC_SET", "GETVAL", "SETVAL", "GETALL", "SETALL", "SEM_UNDO", "$1", "$2", "$0", "$-1",
        "@1", "@9", "0", "1", "-1", "4096", "0x7fffffff", "99999999999999999999", "-9223372036854775808", "0:-1", "0:1:IPC_NOWAIT",
        "1,2,3", "\"text\"", "\"unterminated", "#", "# comment", "=", "", "\t", "\u0000", "\u00ff",
    ];

    [Fact]
    public void Shell_lines_never_crash_and_a_line_that_does_not_parse_gets_one_error_and_changes_nothing()
    {
        using var k = new Kernel();
        foreach (var module in PrisonApp.IpcModules)
            Assert.True(k.Modules.Load(k.Init.Cred, module).Ok);
        var output = new StringWriter();
        var error = new StringWriter();
        var shell = new Cli.Shell.Shell(k, output, error);
        try
        {
            Bounded(() => Check(Lines(ShellWords), line =>
            {
                if (shell.HasExited)
                {
                    shell.Dispose();
                    shell = new Cli.Shell.Shell(k, output, error);
                }
                output.GetStringBuilder().Clear();
                error.GetStringBuilder().Clear();
                var parses = Cli.Shell.CommandLineParser.Split(line, out _) is not null;
                var before = parses ? null : k.Snapshot();
                var status = shell.Execute(line);
                var errors = error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
                if (status == 70)
                    throw new InvalidOperationException($"`{line}' crashed a command: {error}");
                if (!parses)
                {
                    if (errors.Length != 1 || status == 0)
                        throw new InvalidOperationException($"`{line}' does not parse but gave status {status} and {errors.Length} error lines: {error}");
                    if (k.Snapshot() != before)
                        throw new InvalidOperationException($"`{line}' does not parse but changed the kernel");
                }
                else if (status != 0 && errors.Length == 0 && !line.TrimStart().StartsWith('!'))
                {
                    throw new InvalidOperationException($"`{line}' failed with status {status} and said nothing");
                }
                if (errors.Any(e => e.Any(c => char.IsControl(c) && c != '\r')))
                    throw new InvalidOperationException($"`{line}' printed a control character in an error: {error}");
                return true;
            }, maxTest: 600));
        }
        finally
        {
            shell.Dispose();
        }
    }

    [Fact]
    public void Ipc_script_lines_give_one_result_line_and_bad_lines_change_nothing()
    {
        using var k = new Kernel();
        Assert.True(k.Modules.LoadInstance(new SysvShmModule()).Ok);
        Assert.True(k.Modules.LoadInstance(new SysvSemModule()).Ok);
        Assert.True(k.Modules.LoadInstance(new SysvMsgModule()).Ok);
        var proc = k.Processes.Fork(k.Init, "ipc-script").Value;
        var session = new IpcScriptSession(new PrisonBackend(k.Syscalls, proc));
        Bounded(() => Check(Lines(ScriptWords), line =>
        {
            var before = k.Snapshot();
            var result = session.Execute(line);
            if (result is null)
            {
                var trimmed = line.Trim();
                if (trimmed.Length != 0 && !trimmed.StartsWith('#') && k.Snapshot() != before)
                    throw new InvalidOperationException($"`{line}' gave no result line but changed the kernel");
                return true;
            }
            if (result.Length == 0 || result.Contains('\n', StringComparison.Ordinal) || result.Contains('\r', StringComparison.Ordinal))
                throw new InvalidOperationException($"`{line}' gave a result that is not one line: `{result}'");
            if (result is "bad op" or "bad args" && k.Snapshot() != before)
                throw new InvalidOperationException($"`{line}' was refused ({result}) but changed the kernel");
            return true;
        }, maxTest: 1500));
        k.Processes.Exit(proc);
    }

    [Fact]
    public void The_prison_command_survives_random_arguments_and_random_input()
    {
        var args = Gen.Frequency(
            (3, Gen.Elements<string[]>(["ipc-script"], ["ipc-script", "-"], [], ["-v", "ipc-script"])),
            (2, Gen.Elements("run", "ipc-script", "--help", "-v", "--keep-going", "/nonexistent/x.prison", "--bogus", "", "\u0000")
                .ArrayOf().Select(a => a.Take(4).ToArray())));
        var cases = from a in args
                    from input in Lines(ScriptWords.Concat(ShellWords).ToArray()).ArrayOf()
                    select (Args: a, Input: string.Join("\n", input.Take(12)));
        Bounded(() => Check(cases, c =>
        {
            using var output = new StringWriter();
            using var error = new StringWriter();
            var status = PrisonApp.Run(c.Args, new StringReader(c.Input), output, error);
            if (status == 70 || error.ToString().Contains("internal error", StringComparison.Ordinal))
                throw new InvalidOperationException($"prison {string.Join(' ', c.Args)} crashed: {error}");
            return true;
        }, maxTest: 60));
    }

    /// <summary>Token soups (joined with random separators) and random characters.</summary>
    private static Gen<string> Lines(string[] words) => Gen.Frequency(
        (5, Gen.Elements(words).ArrayOf().SelectMany(ws => Gen.Elements(" ", "  ", "\t", "", "|", ";").Select(sep => string.Join(sep, ws.Take(10))))),
        (2, Gen.Choose(0, 40).SelectMany(n => Gen.Choose(0, 0x2FF).Select(c => (char)c).ArrayOf(n)).Select(cs => new string(cs))),
        (1, Gen.Choose(0, 40).SelectMany(n => Gen.Choose(0, 255).Select(b => (byte)b).ArrayOf(n)).Select(bs => System.Text.Encoding.UTF8.GetString(bs))));

    private static void Check<T>(Gen<T> gen, Func<T, bool> property, int maxTest)
    {
        var replay = new Replay(new Rnd(Seed, Gamma), FSharpOption<int>.None);
        FsCheck.Check.One(Config.QuickThrowOnFailure.WithMaxTest(maxTest).WithReplay(FSharpOption<Replay>.Some(replay)),
            Prop.ForAll(gen.ToArbitrary(), property));
    }

    /// <summary>Runs <paramref name="body"/> on its own thread; a hang fails the test instead of stalling the run.</summary>
    private static void Bounded(Action body)
    {
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                body();
            }
            catch (Exception ex)
            {
                failure = ex;
            }
        })
        { IsBackground = true };
        thread.Start();
        Assert.True(thread.Join(Bound), $"the fuzz run did not finish within {Bound.TotalSeconds} s (seed {Seed})");
        if (failure is not null)
            throw new InvalidOperationException($"fuzz failure (seed {Seed}): {failure.Message}", failure);
    }
}
