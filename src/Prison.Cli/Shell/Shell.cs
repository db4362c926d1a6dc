using System.Globalization;
using Prison.Cli.Userland;
using Prison.Core;
using Prison.Core.Procs;

namespace Prison.Cli.Shell;

/// <summary>
/// The <c>prison</c> shell: one session over a kernel. Each line is a command; userland commands run
/// as new processes forked from the shell's process and exit afterwards. <c>jexec JAIL</c> without a
/// command starts a shell inside the jail (the prompt shows it) until <c>exit</c>.
/// </summary>
public sealed class Shell : IDisposable
{
    private readonly Stack<Proc> _frames = new();
    private readonly List<string> _history = [];
    private readonly IReadOnlyDictionary<string, CommandHandler> _commands;
    private readonly IpcCommands _ipc;

    /// <summary>Starts a session: a root shell process in the host, forked from init.</summary>
    public Shell(Kernel kernel, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        Kernel = kernel;
        Out = output;
        Err = error;
        _frames.Push(kernel.Processes.Fork(kernel.Init, "sh").Value);
        _commands = Userland.Commands.All();
        _ipc = new IpcCommands(this);
        Jd = new JdCommands(this);
    }

    /// <summary>The kernel.</summary>
    public Kernel Kernel { get; }

    /// <summary>Standard output.</summary>
    public TextWriter Out { get; }

    /// <summary>Standard error.</summary>
    public TextWriter Err { get; }

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

    /// <summary>The jail descriptor commands and the processes that keep their descriptors.</summary>
    internal JdCommands Jd { get; }

    /// <summary>The users and groups of every jail.</summary>
    internal UserDatabase Users { get; } = new();

    /// <summary>The directory of the script being run, which relative file names (<c>jail -f</c>) resolve against.</summary>
    public string? ScriptDirectory { get; set; }

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
        var negate = words[0].Text == "!" && words.Count > 1;
        if (negate)
            words = words.Skip(1).ToArray();
        int status;
        try
        {
            status = ExecuteWords(words, line);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A bug in one command must not take the session down; it is reported like a crash.
            Err.WriteLine($"prison: {CommandLineParser.Printable(words[0].Text)}: internal error: {ex.GetType().Name}: {ex.Message}");
            status = 70;
        }
        return negate ? (status == 0 ? 1 : 0) : status;
    }

    /// <summary>
    /// Runs a script: one command per line. With <paramref name="echo"/> each command is shown behind
    /// the prompt first, so the output reads like a terminal session. Stops at the first failure unless
    /// <paramref name="keepGoing"/>.
    /// </summary>
    public int RunScript(TextReader input, string scriptName, bool keepGoing, bool echo)
    {
        ArgumentNullException.ThrowIfNull(input);
        var failures = 0;
        var lineNumber = 0;
        while (!HasExited && input.ReadLine() is { } line)
        {
            lineNumber++;
            var trimmed = line.Trim();
            if (trimmed.Length == 0 || trimmed.StartsWith('#'))
                continue;
            if (echo)
                Out.WriteLine(Prompt + trimmed);
            var status = Execute(line);
            if (status == 0 || HasExited)
                continue;
            failures++;
            Err.WriteLine($"prison: {scriptName}:{lineNumber.ToString(CultureInfo.InvariantCulture)}: `{CommandLineParser.Printable(trimmed)}' exited with status {status.ToString(CultureInfo.InvariantCulture)}");
            if (!keepGoing)
                return status;
        }
        if (HasExited)
            return ExitStatus;
        return failures == 0 ? 0 : 1;
    }

    /// <summary>The interactive loop: prompt, read, run, until end of input or <c>exit</c>.</summary>
    public int Interactive(TextReader input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var last = 0;
        while (!HasExited)
        {
            Out.Write(Prompt);
            Out.Flush();
            if (input.ReadLine() is not { } line)
            {
                Out.WriteLine();
                break;
            }
            last = Execute(line);
        }
        return HasExited ? ExitStatus : last;
    }

    /// <summary>Ends every process the session started.</summary>
    public void Dispose()
    {
        _ipc.Dispose();
        Jd.Dispose();
        while (_frames.Count > 0)
            Kernel.Processes.Exit(_frames.Pop());
    }

    /// <summary>Starts a shell inside a jail: the process becomes the shell's current one.</summary>
    internal void PushFrame(Proc proc) => _frames.Push(proc);

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
        var proc = existing;
        if (proc is null)
        {
            var forked = Kernel.Processes.Fork(CurrentProcess, name);
            if (!forked.Ok)
            {
                Err.WriteLine($"prison: fork: {forked.ErrorText}");
                return 71;
            }
            proc = forked.Value;
        }
        var context = new CommandContext(this, proc, words, line);
        try
        {
            return isIpc ? _ipc.Run(context) : handler!(context);
        }
        finally
        {
            if (existing is null)
                Kernel.Processes.Exit(proc);
        }
    }

    private int ExecuteWords(IReadOnlyList<Word> words, string line)
    {
        switch (words[0].Text)
        {
            case "exit":
                return Exit(words);
            case "help":
                Out.WriteLine(Userland.Commands.HelpText);
                return 0;
            case "history":
                for (var i = 0; i < _history.Count; i++)
                    Out.WriteLine($"{(i + 1).ToString(CultureInfo.InvariantCulture),5}  {_history[i]}");
                return 0;
            default:
                return RunCommand(words, line, existing: null);
        }
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
            Kernel.Processes.Exit(_frames.Pop());
            return status;
        }
        HasExited = true;
        ExitStatus = status;
        return status;
    }
}
