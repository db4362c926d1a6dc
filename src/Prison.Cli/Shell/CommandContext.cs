using Prison.Core.Procs;
using Prison.Core.Syscalls;

namespace Prison.Cli.Shell;

/// <summary>A userland command: runs in <see cref="CommandContext.Proc"/> and returns its exit status.</summary>
internal delegate int CommandHandler(CommandContext context);

/// <summary>What one running command sees: its process, its arguments and its output streams.</summary>
internal sealed class CommandContext
{
    public CommandContext(Shell shell, Proc proc, IReadOnlyList<Word> words, string line)
    {
        Shell = shell;
        Proc = proc;
        Words = words;
        Line = line;
        Name = words[0].Text;
        Args = words.Skip(1).Select(w => w.Text).ToArray();
    }

    /// <summary>The shell session that started the command.</summary>
    public Shell Shell { get; }

    /// <summary>
    /// The system call interface: the only way a command reaches the kernel. A command is given no
    /// <c>Kernel</c> (tests/Prison.Architecture.Tests holds every userland type to that).
    /// </summary>
    public SyscallInterface Syscalls => Shell.Syscalls;

    /// <summary>The command's process (its credential and jail).</summary>
    public Proc Proc { get; }

    /// <summary>The command name (argv[0]).</summary>
    public string Name { get; }

    /// <summary>The arguments after the name.</summary>
    public IReadOnlyList<string> Args { get; }

    /// <summary>The words, name included, with their positions in <see cref="Line"/>.</summary>
    public IReadOnlyList<Word> Words { get; }

    /// <summary>The whole command line as typed.</summary>
    public string Line { get; }

    /// <summary>Standard output.</summary>
    public TextWriter Out => Shell.Out;

    /// <summary>Standard error.</summary>
    public TextWriter Err => Shell.Err;

    /// <summary>Writes <c>NAME: message</c> to standard error and returns <paramref name="status"/>.</summary>
    public int Fail(string message, int status = 1)
    {
        Err.WriteLine($"{Name}: {message}");
        return status;
    }

    /// <summary>getopt's complaint (<c>illegal option -- x</c>) then the usage, as FreeBSD's tools print them; 64.</summary>
    public int BadOption(string error)
    {
        Err.WriteLine($"{Name}: {error}");
        return Usage();
    }

    /// <summary>
    /// getopt(3) with <paramref name="spec"/> for a tool that acts on each of its operands and needs one at
    /// least (kldload, umount): the options, or null with the status in <paramref name="status"/> after
    /// getopt's complaint or the usage (64).
    /// </summary>
    internal Userland.Options? GetoptOperands(string spec, out int status)
    {
        var options = Userland.Getopt.Parse(Args, spec, allowJson: false, out var error);
        status = options is null ? BadOption(error!) : options.Operands.Count == 0 ? Usage() : 0;
        return status == 0 ? options : null;
    }

    /// <summary>Writes the command's usage (the text <c>help CMD</c> shows) and returns 64 (EX_USAGE).</summary>
    public int Usage() => Usage(Userland.CommandUsage.Find(Name)?.Synopsis.Replace("\n", "\n       ", StringComparison.Ordinal) ?? Name);

    /// <summary>Writes a usage message and returns 64 (EX_USAGE).</summary>
    public int Usage(string usage)
    {
        Err.WriteLine($"usage: {usage}");
        return 64;
    }
}
