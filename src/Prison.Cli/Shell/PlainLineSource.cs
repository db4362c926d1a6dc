namespace Prison.Cli.Shell;

/// <summary>Plain lines from a reader (a pipe, a file, a test): the prompt is written, nothing is edited.</summary>
public sealed class PlainLineSource : ILineSource
{
    private readonly TextReader _input;
    private readonly TextWriter _output;

    /// <summary>Reads <paramref name="input"/>, writing prompts to <paramref name="output"/>.</summary>
    public PlainLineSource(TextReader input, TextWriter output)
    {
        _input = input;
        _output = output;
    }

    /// <inheritdoc />
    public bool ContinuesAfterEnd => false;

    /// <inheritdoc />
    public LineRead Read(string prompt)
    {
        _output.Write(prompt);
        _output.Flush();
        if (_input.ReadLine() is { } line)
            return new LineRead(LineReadKind.Line, line);
        _output.WriteLine();
        return new LineRead(LineReadKind.EndOfInput, null);
    }

    /// <inheritdoc />
    public void Remember(string line)
    {
    }
}
