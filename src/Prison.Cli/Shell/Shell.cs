using System.Globalization;
using Prison.Cli.Userland;
using Prison.Core;
using Prison.Core.Procs;
using Prison.Core.Syscalls;

namespace Prison.Cli.Shell;

/// <summary>
/// The <c>prison</c> shell: one session over a kernel. Each line is a command; userland commands run
/// as new processes forked from the shell's process and exit afterwards. <c>jexec JAIL</c> without a
/// command starts a shell inside the jail (the prompt shows it) until <c>exit</c> (or Ctrl-D at a
/// terminal). A line ending in <c>&amp;</c> runs as a background job (<c>jobs</c>, <c>fg</c>,
/// <c>wait</c>, <c>kill</c>); Ctrl-C sends SIGINT to the foreground job (<see cref="Interrupt"/>).
/// </summary>
public sealed partial class Shell : IDisposable
{
    [ThreadStatic]
    private static Job? t_currentJob;

    private readonly Stack<Proc> _frames = new();
    private readonly List<string> _history = [];
    private readonly IReadOnlyDictionary<string, CommandHandler> _commands;
    private readonly IpcCommands _ipc;

    // The job Ctrl-C signals: the command running on the shell's thread, or the job fg waits for.
    private volatile Job? _foreground;

    // Incremented by every Ctrl-C and by a script's timeout: a running script stops when it changes.
    private int _interrupts;

    /// <summary>Starts a session: a root shell process in the host, forked from init.</summary>
    public Shell(Kernel kernel, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        Kernel = kernel;
        // Background jobs write from their own threads.
        Out = TextWriter.Synchronized(output);
        Err = TextWriter.Synchronized(error);
        _frames.Push(kernel.Syscalls.Fork(kernel.Init, "sh").Value);
        _commands = Userland.Commands.All();
        _ipc = new IpcCommands(this);
        Jd = new JdCommands(this);
    }

    /// <summary>The kernel the session runs on (the host app made it; commands never see it).</summary>
    public Kernel Kernel { get; }

    /// <summary>The kernel's system call interface, which commands reach through <see cref="CommandContext.Syscalls"/>.</summary>
    public SyscallInterface Syscalls => Kernel.Syscalls;

    /// <summary>Standard output.</summary>
    public TextWriter Out { get; }

    /// <summary>Standard error.</summary>
    public TextWriter Err { get; }

    /// <summary>
    /// True (the default) when IPC calls that would sleep do sleep, as a process does; false makes
    /// them report <c>skip blocking</c> and change nothing, the IPC script language's rule.
    /// </summary>
    public bool BlockingCalls { get; init; } = true;

    /// <summary>The prompt: <c># </c> on the host, <c>NAME# </c> in jail NAME (<c>$</c> for non-root).</summary>
    public string Prompt
    {
        get
        {
            var proc = CurrentProcess;
            var mark = proc.Cred.IsRoot ? "# " : "$ ";
            return proc.Jail.IsHost ? mark : proc.Jail.Name + mark;
        }
    }

    /// <summary>The lines entered in this session, oldest first.</summary>
    public IReadOnlyList<string> History => _history;

    /// <summary>True once <c>exit</c> ended the session.</summary>
    public bool HasExited { get; private set; }

    /// <summary>The status <c>exit</c> asked for.</summary>
    public int ExitStatus { get; private set; }

    /// <summary>The job Ctrl-C would signal now, or null at the prompt.</summary>
    internal Job? Foreground => _foreground;

    /// <summary>The job whose command runs on the calling thread, or null outside any job.</summary>
    internal static Job? CurrentJob => t_currentJob;

    /// <summary>The shell's current process (the innermost jexec'd shell, or the host shell).</summary>
    internal Proc CurrentProcess
    {
        get
        {
            // A jail shell whose jail was removed was killed with it: fall back to the shell outside.
            while (_frames.Count > 1 && _frames.Peek().HasExited)
                _frames.Pop();
            return _frames.Peek();
        }
    }

    /// <summary>True while a <c>jexec</c>'d shell is the current one (Ctrl-D returns from it).</summary>
    internal bool InJailShell
    {
        get
        {
            _ = CurrentProcess;
            return _frames.Count > 1;
        }
    }

    /// <summary>The jail descriptor commands and the processes that keep their descriptors.</summary>
    internal JdCommands Jd { get; }

    /// <summary>The users and groups of every jail.</summary>
    internal UserDatabase Users { get; } = new();

    /// <summary>The directory of the script being run, which relative file names (<c>jail -f</c>) resolve against.</summary>
    public string? ScriptDirectory { get; set; }

    /// <summary>The commands (for completion).</summary>
    internal IEnumerable<string> CommandNames => _commands.Keys;

    /// <summary>The userland commands and the builtins.</summary>
    internal IEnumerable<string> CommandNamesForTests() => _commands.Keys.Concat(Builtins);

    /// <summary>
    /// Ctrl-C: sends SIGINT to the foreground job, whose blocked call returns EINTR, and stops a running
    /// script. Safe to call from any thread (the console's cancel handler calls it). Returns true when a
    /// command was running.
    /// </summary>
    public bool Interrupt() => Interrupt(Signals.SIGINT);

    private bool Interrupt(int signal)
    {
        Interlocked.Increment(ref _interrupts);
        if (_foreground is not { } job)
            return false;
        job.Signal(signal);
        return true;
    }

    /// <summary>Runs one line and returns its exit status. Never throws for bad input.</summary>
    public int Execute(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var words = CommandLineParser.Split(line, out var syntaxError);
        if (words is null)
        {
            Err.WriteLine($"prison: {syntaxError}");
            return 2;
        }
        if (words.Count == 0)
            return 0;
        _history.Add(line.Trim());
        var background = CommandLineParser.TakeBackground(ref words, ref line);
        if (words.Count == 0)
        {
            Err.WriteLine("prison: syntax error: unexpected &");
            return 2;
        }
        var negate = words[0].Text == "!" && words.Count > 1;
        if (negate)
            words = words.Skip(1).ToArray();
        // sh: the status of `! cmd &` is that of starting the job; the ! applies to nothing.
        if (background)
            return StartBackground(words, line);
        var job = new Job(line.Trim(), background: false, KillForJob);
        var status = RunAsJob(job, words, line, foreground: true);
        return negate ? (status == 0 ? 1 : 0) : status;
    }

    /// <summary>
    /// Runs a script: one command per line. With <paramref name="echo"/> each command is shown behind
    /// the prompt first, so the output reads like a terminal session. Stops at the first failure unless
    /// <paramref name="keepGoing"/>, and at Ctrl-C.
    /// </summary>
    public int RunScript(TextReader input, string scriptName, bool keepGoing, bool echo) =>
        RunScript(input, scriptName, keepGoing, echo, timeout: null);

    /// <summary>The interactive loop over plain lines (a pipe or a file): prompt, read, run, until end of input or <c>exit</c>.</summary>
    public int Interactive(TextReader input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return Interactive(new PlainLineSource(input, Out));
    }

    /// <summary>
    /// The interactive loop: prompt, read, run, until the end of input or <c>exit</c>. Ctrl-C at the
    /// prompt discards the line; the end of input inside a <c>jexec</c>'d shell returns to the shell
    /// outside when the source goes on (a terminal's Ctrl-D), else it ends the session.
    /// </summary>
    public int Interactive(ILineSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var last = 0;
        while (!HasExited)
        {
            // sh notifies of finished jobs only when interactive (a terminal); a script collects them with wait.
            if (source.ContinuesAfterEnd)
                ReportFinishedJobs();
            var read = source.Read(Prompt);
            if (read.Kind == LineReadKind.Interrupted)
            {
                last = 128 + Signals.SIGINT;
                continue;
            }
            if (read.Kind == LineReadKind.EndOfInput)
            {
                if (source.ContinuesAfterEnd && InJailShell)
                {
                    Syscalls.Exit(_frames.Pop());
                    continue;
                }
                break;
            }
            if (read.Text!.Trim().Length > 0)
                source.Remember(read.Text.Trim());
            last = Execute(read.Text);
        }
        return HasExited ? ExitStatus : last;
    }

    /// <summary>Ends every job and every process the session started.</summary>
    public void Dispose()
    {
        KillAllJobs();
        _ipc.Dispose();
        Jd.Dispose();
        while (_frames.Count > 0)
            Syscalls.Exit(_frames.Pop());
    }

    /// <summary>Starts a shell inside a jail: the process becomes the shell's current one.</summary>
    internal void PushFrame(Proc proc)
    {
        // A background `jexec JAIL &` is a subshell with no input: it ends at once, as sh's would.
        if (CurrentJob is { Background: true })
        {
            Syscalls.Exit(proc);
            return;
        }
        _frames.Push(proc);
    }

    /// <summary>
    /// Runs a command in <paramref name="existing"/> (a process another command prepared, as jexec
    /// does) or in a new process forked from the shell's.
    /// </summary>
    internal int RunCommand(IReadOnlyList<Word> words, string line, Proc? existing)
    {
        var name = words[0].Text;
        var isIpc = false;
        if (!_commands.TryGetValue(name, out var handler))
        {
            isIpc = IpcCommands.IsOperation(name);
            if (!isIpc)
            {
                Err.WriteLine($"prison: {CommandLineParser.Printable(name)}: not found");
                return 127;
            }
        }
        if (AsksForHelp(name, words))
            return PrintHelp(name);
        var proc = existing;
        if (proc is null)
        {
            var forked = Syscalls.Fork(CurrentProcess, name);
            if (!forked.Ok)
            {
                Err.WriteLine($"prison: fork: {forked.ErrorText}");
                return 71;
            }
            proc = forked.Value;
            if (CurrentJob is { } job && !job.Adopt(proc))
            {
                Syscalls.Exit(proc);
                return 128 + Signals.SIGKILL;
            }
        }
        var context = new CommandContext(this, proc, words, line);
        try
        {
            return isIpc ? _ipc.Run(context) : handler!(context);
        }
        finally
        {
            if (existing is null)
                Syscalls.Exit(proc);
        }
    }

    /// <summary>
    /// Runs <paramref name="words"/> as <paramref name="job"/> on the calling thread. A command's bug
    /// must not take the session down: it is reported like a crash (status 70).
    /// </summary>
    private int RunAsJob(Job job, IReadOnlyList<Word> words, string line, bool foreground)
    {
        var outerJob = t_currentJob;
        var outerForeground = _foreground;
        t_currentJob = job;
        if (foreground)
            _foreground = job;
        var status = 70;
        try
        {
            status = ExecuteWords(words, line);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Err.WriteLine($"prison: {CommandLineParser.Printable(words[0].Text)}: internal error: {ex.GetType().Name}: {ex.Message}");
        }
        finally
        {
            job.Finish(status);
            t_currentJob = outerJob;
            if (foreground)
                _foreground = outerForeground;
        }
        return job.Status ?? status;
    }

    private int ExecuteWords(IReadOnlyList<Word> words, string line)
    {
        var name = words[0].Text;
        if (IsBuiltin(name) && AsksForHelp(name, words))
            return PrintHelp(name);
        switch (name)
        {
            case "exit":
                return Exit(words);
            case "help":
                return Help(words);
            case "history":
                for (var i = 0; i < _history.Count; i++)
                    Out.WriteLine($"{(i + 1).ToString(CultureInfo.InvariantCulture),5}  {_history[i]}");
                return 0;
            case "jobs":
                return JobsBuiltin(words);
            case "fg":
                return Fg(words);
            case "wait":
                return WaitBuiltin(words);
            case "kill":
                return Kill(words);
            case "run":
            case ".":
                return RunBuiltin(words);
            default:
                return RunCommand(words, line, existing: null);
        }
    }

    private static readonly HashSet<string> Builtins = ["exit", "help", "history", "jobs", "fg", "wait", "kill", "run", "."];

    /// <summary>True for the commands the shell itself runs (no process, not in the background).</summary>
    internal static bool IsBuiltin(string name) => Builtins.Contains(name);

    /// <summary>
    /// <c>CMD --help</c>, or <c>CMD -h</c> where <c>-h</c> is not one of the command's own options: only
    /// as the first argument, so <c>jexec pg1 id -h</c> still reaches id.
    /// </summary>
    private static bool AsksForHelp(string name, IReadOnlyList<Word> words)
    {
        if (words.Count != 2)
            return false;
        var arg = words[1].Text;
        return arg == "--help" || (arg == "-h" && CommandUsage.Find(name) is { OwnsDashH: false });
    }

    private int PrintHelp(string name)
    {
        if (CommandUsage.Find(name) is not { } usage)
        {
            Err.WriteLine($"help: no help for {CommandLineParser.Printable(name)}");
            return 1;
        }
        Out.WriteLine(usage.HelpText());
        return 0;
    }

    private int Help(IReadOnlyList<Word> words)
    {
        if (words.Count == 1)
        {
            Out.WriteLine(Userland.Commands.HelpText);
            return 0;
        }
        var status = 0;
        foreach (var word in words.Skip(1))
        {
            if (CommandUsage.Find(word.Text) is { } usage)
            {
                Out.WriteLine(usage.HelpText());
            }
            else
            {
                Err.WriteLine($"help: no such command: {CommandLineParser.Printable(word.Text)}");
                status = 1;
            }
        }
        return status;
    }

    private int Exit(IReadOnlyList<Word> words)
    {
        var status = 0;
        if (words.Count > 2 || (words.Count == 2 && !int.TryParse(words[1].Text, NumberStyles.None, CultureInfo.InvariantCulture, out status)))
        {
            Err.WriteLine("usage: exit [status]");
            return 64;
        }
        if (_frames.Count > 1)
        {
            Syscalls.Exit(_frames.Pop());
            return status;
        }
        HasExited = true;
        ExitStatus = status;
        return status;
    }
}
