using Prison.Cli.Shell;
using RadLine;
using Spectre.Console;

namespace Prison.Cli.Tests;

/// <summary>Tab completion and the line editor's keys, through RadLine's input source and a test console.</summary>
public class CompletionTests
{
    private static string[] Complete(Session s, string prefix, string word) =>
        new ShellCompletion(s.Shell).GetCompletions(prefix, word, "")?.ToArray() ?? [];

    [Fact]
    public void Command_names_complete_in_command_position_and_after_jexec_jail()
    {
        using var s = new Session();
        s.Run("jail -c name=pg1 persist");
        Assert.Equal(["jail", "jd", "jexec", "jls", "jobs"], Complete(s, "", "j"));
        Assert.Equal(["msgctl", "msgget", "msgrcv", "msgsnd"], Complete(s, "jexec pg1 ", "msg"));
        Assert.Equal(["kenv", "kill", "kldload", "kldstat", "kldunload"], Complete(s, "help ", "k"));
        Assert.Empty(Complete(s, "echo ", "j"));
    }

    [Fact]
    public void Jail_names_and_jids_complete_after_jexec_and_dash_j_as_the_shell_sees_them()
    {
        using var s = new Session();
        s.Run("jail -c name=pg1 persist children.max=2");
        s.Run("jail -c name=pg2 persist");
        s.Run("jail -c name=pg1.inner persist");
        Assert.Equal(["pg1", "pg1.inner", "pg2"], Complete(s, "jexec ", "pg"));
        Assert.Equal(["1", "2", "3", "pg1", "pg1.inner", "pg2"], Complete(s, "jexec -u root ", ""));
        Assert.Equal(["pg2"], Complete(s, "jls -j ", "pg2"));
        Assert.Equal(["pg1", "pg1.inner"], Complete(s, "jail -r ", "pg1"));
        // Inside pg1 only its descendants exist, by their relative names.
        s.Ok("jexec pg1");
        Assert.Equal(["inner"], Complete(s, "jexec ", "i"));
    }

    [Fact]
    public void Module_and_sysctl_names_complete()
    {
        using var s = new Session();
        Assert.Equal(["sysvmsg", "sysvsem", "sysvshm"], Complete(s, "kldload ", "sysv"));
        s.Ok("kldload sysvmsg");
        Assert.Equal(["sysvmsg"], Complete(s, "kldunload ", "sysvm"));
        Assert.Contains("security.jail.jailid", Complete(s, "sysctl ", "security.jail.j"));
        Assert.Contains("kern.ipc.msqids", Complete(s, "sysctl -n ", "kern.ipc.m"));
    }

    [Fact]
    public void Jobs_complete_after_fg_wait_and_kill()
    {
        using var s = new Session();
        s.Ok("kldload sysvmsg");
        s.Ok("msgget 1 IPC_CREAT|0600");
        s.Run("msgrcv $0 64 0 0 &");
        Assert.Equal(["%1"], Complete(s, "kill -INT ", "%"));
        s.Ok("kill -9 %1");
        s.Run("wait");
    }

    [Fact]
    public void Keys_edit_recall_and_complete_through_the_line_editor()
    {
        using var s = new Session();
        s.Run("jail -c name=pg1 persist");
        var keys = new Keys();
        keys.Text("echo junk").Control(ConsoleKey.U).Text("echo clean").Enter();
        keys.Text("echo one").Enter().Key(ConsoleKey.UpArrow).Enter();
        keys.Text("echo gone").Control(ConsoleKey.C);
        keys.Text("jexec p").Key(ConsoleKey.Tab).Enter();
        keys.Control(ConsoleKey.D);
        keys.Text("sysctl -n security.jail.jailed").Enter();
        keys.Text("jl").Key(ConsoleKey.Tab).Text(" -n name").Enter();
        keys.Control(ConsoleKey.D);
        var screen = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.Yes,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.Yes,
            Out = new AnsiConsoleOutput(screen),
        });
        var status = s.Shell.Interactive(new EditorLineSource(s.Shell, console, keys, file: null));
        Assert.Equal(0, status);
        Assert.False(s.Shell.HasExited);
        Assert.Equal("clean\none\none\n0\nname=pg1\n", s.Out.ToString());
        Assert.Equal(["jail -c name=pg1 persist", "echo clean", "echo one", "echo one", "jexec pg1", "sysctl -n security.jail.jailed", "jls -n name"], s.Shell.History);
    }

    [Fact]
    public void The_history_file_carries_lines_to_the_next_session()
    {
        var path = Path.Combine(Path.GetTempPath(), $"prison-history-{Guid.NewGuid():N}");
        try
        {
            var file = new HistoryFile(path, 3, TextWriter.Null);
            foreach (var line in new[] { "a", "b", "c", "d" })
                file.Append(line);
            Assert.Equal(["b", "c", "d"], file.Load());
            using var s = new Session();
            var keys = new Keys().Key(ConsoleKey.UpArrow).Key(ConsoleKey.UpArrow).Enter().Control(ConsoleKey.D);
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.Yes, Interactive = InteractionSupport.Yes, Out = new AnsiConsoleOutput(TextWriter.Null) });
            s.Shell.Interactive(new EditorLineSource(s.Shell, console, keys, new HistoryFile(path, 3, TextWriter.Null)));
            Assert.Equal(["c"], s.Shell.History);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void An_unwritable_history_file_is_reported_once_in_errno_words()
    {
        var error = new StringWriter();
        var file = new HistoryFile("/nonexistent-dir/h", 10, error);
        file.Append("x");
        file.Append("y");
        Assert.Equal("prison: /nonexistent-dir/h: No such file or directory\n", error.ToString());
    }

    /// <summary>RadLine's input source over a queue of keys (the keyboard of a test).</summary>
    private sealed class Keys : IInputSource
    {
        private readonly Queue<ConsoleKeyInfo> _keys = new();

        public bool ByPassProcessing => true;

        public bool IsKeyAvailable() => _keys.Count > 0;

        public ConsoleKeyInfo ReadKey() => _keys.Dequeue();

        public Keys Text(string text)
        {
            foreach (var c in text)
                _keys.Enqueue(new ConsoleKeyInfo(c, char.IsAsciiLetter(c) ? ConsoleKey.A + (char.ToUpperInvariant(c) - 'A') : c == ' ' ? ConsoleKey.Spacebar : ConsoleKey.NoName, char.IsUpper(c), false, false));
            return this;
        }

        public Keys Key(ConsoleKey key)
        {
            _keys.Enqueue(new ConsoleKeyInfo(key == ConsoleKey.Tab ? '\t' : '\0', key, false, false, false));
            return this;
        }

        public Keys Control(ConsoleKey letter)
        {
            _keys.Enqueue(new ConsoleKeyInfo((char)(letter - ConsoleKey.A + 1), letter, false, false, true));
            return this;
        }

        public Keys Enter()
        {
            _keys.Enqueue(new ConsoleKeyInfo('\r', ConsoleKey.Enter, false, false, false));
            return this;
        }
    }
}
