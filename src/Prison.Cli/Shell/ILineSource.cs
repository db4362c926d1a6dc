namespace Prison.Cli.Shell;

/// <summary>How a read at the prompt ended.</summary>
public enum LineReadKind
{
    /// <summary>A line was entered.</summary>
    Line,

    /// <summary>Ctrl-C at the prompt: the line was discarded.</summary>
    Interrupted,

    /// <summary>End of input: Ctrl-D at an empty prompt, or the end of a file or pipe.</summary>
    EndOfInput,
}

/// <summary>The result of one read at the prompt.</summary>
/// <param name="Kind">How the read ended.</param>
/// <param name="Text">The line, for <see cref="LineReadKind.Line"/>.</param>
public readonly record struct LineRead(LineReadKind Kind, string? Text);

/// <summary>Where the interactive shell gets its lines: a line editor at a terminal, plain lines otherwise.</summary>
public interface ILineSource
{
    /// <summary>
    /// True when input goes on after an end of input (Ctrl-D at a terminal): Ctrl-D inside <c>jexec</c>
    /// then returns to the shell outside, as <c>exit</c> does. A file or pipe ends for good.
    /// </summary>
    bool ContinuesAfterEnd { get; }

    /// <summary>Shows <paramref name="prompt"/> and reads one line.</summary>
    LineRead Read(string prompt);

    /// <summary>Records a line the shell ran (the editor's history and its file).</summary>
    void Remember(string line);
}
