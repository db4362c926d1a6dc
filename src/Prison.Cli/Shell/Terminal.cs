using Spectre.Console;

namespace Prison.Cli.Shell;

/// <summary>
/// The link between the process's console and a shell: Ctrl-C becomes SIGINT to the foreground job
/// (<see cref="Shell.Interrupt"/>) instead of ending the program, and at a terminal lines come from the
/// line editor. Only the real binary attaches (<see cref="PrisonApp.UsesConsole"/>); tests drive the
/// shell through their own streams.
/// </summary>
internal sealed class Terminal : IDisposable
{
    private readonly ConsoleCancelEventHandler? _handler;

    private Terminal(ILineSource source, ConsoleCancelEventHandler? handler)
    {
        LineSource = source;
        _handler = handler;
        if (handler is not null)
            Console.CancelKeyPress += handler;
    }

    /// <summary>Where the interactive shell reads its lines.</summary>
    public ILineSource LineSource { get; }

    /// <summary>
    /// For the interactive shell: the line editor when standard input and output are a terminal, plain
    /// lines otherwise (scripts and pipes read as before); Ctrl-C goes to the shell either way.
    /// </summary>
    public static Terminal Attach(Shell shell, TextReader input, TextWriter output)
    {
        if (!PrisonApp.UsesConsole)
            return new Terminal(new PlainLineSource(input, output), null);
        var handler = Handler(shell);
        if (Console.IsInputRedirected || Console.IsOutputRedirected)
            return new Terminal(new PlainLineSource(input, output), handler);
        var console = AnsiConsole.Console;
        if (!RadLine.LineEditor.IsSupported(console))
            return new Terminal(new PlainLineSource(input, output), handler);
        return new Terminal(new KeyboardLineSource(new EditorLineSource(shell, console, null, HistoryFile.FromEnvironment(shell.Err))), handler);
    }

    /// <summary>For <c>prison run</c>: Ctrl-C interrupts the running command and stops the script.</summary>
    public static Terminal AttachInterruptOnly(Shell shell) =>
        new(new PlainLineSource(TextReader.Null, TextWriter.Null), PrisonApp.UsesConsole ? Handler(shell) : null);

    /// <inheritdoc />
    public void Dispose()
    {
        if (_handler is not null)
            Console.CancelKeyPress -= _handler;
    }

    private static ConsoleCancelEventHandler Handler(Shell shell) => (_, e) =>
    {
        if (e.SpecialKey != ConsoleSpecialKey.ControlC)
            return;
        // The session survives: the signal goes to the foreground command, as a terminal's would.
        e.Cancel = true;
        shell.Interrupt();
    };

    /// <summary>
    /// While the editor reads, Ctrl-C must reach it as a key (it discards the line); while a command runs,
    /// as SIGINT (the cancel handler). TreatControlCAsInput switches the terminal between the two.
    /// </summary>
    private sealed class KeyboardLineSource(ILineSource inner) : ILineSource
    {
        public bool ContinuesAfterEnd => inner.ContinuesAfterEnd;

        public LineRead Read(string prompt)
        {
            Console.TreatControlCAsInput = true;
            try
            {
                return inner.Read(prompt);
            }
            finally
            {
                Console.TreatControlCAsInput = false;
            }
        }

        public void Remember(string line) => inner.Remember(line);
    }
}
