using RadLine;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Prison.Cli.Shell;

/// <summary>
/// Lines from a terminal through RadLine's line editor: arrows move and recall history, Tab completes
/// (<see cref="ShellCompletion"/>), and the keys of sh's emacs mode: Ctrl-A/Ctrl-E (start/end),
/// Ctrl-U (erase to the start), Ctrl-K (erase to the end), Ctrl-W (erase the word before), Ctrl-C
/// (discard the line), Ctrl-D (end of input at an empty line, else delete the character under the cursor).
/// </summary>
internal sealed class EditorLineSource : ILineSource
{
    private readonly LineEditor _editor;
    private readonly ShellPrompt _prompt = new();
    private readonly HistoryFile? _file;
    private readonly ReadOutcome _outcome = new();

    /// <summary>
    /// An editor on <paramref name="console"/> reading keys from <paramref name="keys"/> (the terminal's when
    /// null), with the history of <paramref name="file"/> (none when null).
    /// </summary>
    public EditorLineSource(Shell shell, IAnsiConsole console, IInputSource? keys, HistoryFile? file)
    {
        _file = file;
        _editor = new LineEditor(console, keys)
        {
            Prompt = _prompt,
            Completion = new ShellCompletion(shell),
        };
        var bindings = _editor.KeyBindings;
        // Single-line editing: the arrows walk the history (RadLine's defaults move between lines).
        bindings.Add<PreviousHistoryCommand>(ConsoleKey.UpArrow);
        bindings.Add<NextHistoryCommand>(ConsoleKey.DownArrow);
        bindings.Add(ConsoleKey.A, ConsoleModifiers.Control, () => new MoveHomeCommand());
        bindings.Add(ConsoleKey.E, ConsoleModifiers.Control, () => new MoveEndCommand());
        bindings.Add(ConsoleKey.U, ConsoleModifiers.Control, () => new EraseToStartCommand());
        bindings.Add(ConsoleKey.K, ConsoleModifiers.Control, () => new EraseToEndCommand());
        bindings.Add(ConsoleKey.W, ConsoleModifiers.Control, () => new EraseWordBeforeCommand());
        bindings.Add(ConsoleKey.C, ConsoleModifiers.Control, () => new InterruptCommand(_outcome));
        bindings.Add(ConsoleKey.D, ConsoleModifiers.Control, () => new EndOfInputCommand(_outcome));
        if (file is not null)
        {
            foreach (var line in file.Load())
                _editor.History.Add(line);
        }
    }

    /// <inheritdoc />
    public bool ContinuesAfterEnd => true;

    /// <inheritdoc />
    public LineRead Read(string prompt)
    {
        _prompt.Text = prompt;
        _outcome.Kind = LineReadKind.Line;
        var line = _editor.ReadLine(CancellationToken.None).GetAwaiter().GetResult();
        if (_outcome.Kind != LineReadKind.Line)
            return new LineRead(_outcome.Kind, null);
        return line is null ? new LineRead(LineReadKind.EndOfInput, null) : new LineRead(LineReadKind.Line, line);
    }

    /// <inheritdoc />
    public void Remember(string line) => _file?.Append(line);

    /// <summary>How the last read ended, set by the Ctrl-C and Ctrl-D commands.</summary>
    private sealed class ReadOutcome
    {
        public LineReadKind Kind { get; set; }
    }

    /// <summary>The shell's prompt as plain text (no Spectre markup), with no margin of its own.</summary>
    private sealed class ShellPrompt : ILineEditorPrompt
    {
        public string Text { get; set; } = "# ";

        public (Markup Markup, int Margin) GetPrompt(ILineEditorState state, int line)
        {
            // RadLine puts Margin spaces after the markup: give it the prompt without its trailing blank.
            var trimmed = Text.TrimEnd(' ');
            return (new Markup(Markup.Escape(trimmed)), Text.Length - trimmed.Length);
        }
    }

    /// <summary>Ctrl-U: erase from the start of the line to the cursor.</summary>
    private sealed class EraseToStartCommand : LineEditorCommand
    {
        public override void Execute(LineEditorContext context)
        {
            var position = context.Buffer.Position;
            context.Buffer.Move(0);
            context.Buffer.Clear(0, position);
        }
    }

    /// <summary>Ctrl-K: erase from the cursor to the end of the line.</summary>
    private sealed class EraseToEndCommand : LineEditorCommand
    {
        public override void Execute(LineEditorContext context)
        {
            var position = context.Buffer.Position;
            context.Buffer.Clear(position, context.Buffer.Length - position);
        }
    }

    /// <summary>Ctrl-W: erase the word before the cursor and the blanks after it.</summary>
    private sealed class EraseWordBeforeCommand : LineEditorCommand
    {
        public override void Execute(LineEditorContext context)
        {
            var content = context.Buffer.Content;
            var end = context.Buffer.Position;
            var start = end;
            while (start > 0 && content[start - 1] is ' ' or '\t')
                start--;
            while (start > 0 && content[start - 1] is not (' ' or '\t'))
                start--;
            context.Buffer.Move(start);
            context.Buffer.Clear(start, end - start);
        }
    }

    /// <summary>Ctrl-C at the prompt: the line is discarded (not run, not kept in the history).</summary>
    private sealed class InterruptCommand(ReadOutcome outcome) : LineEditorCommand
    {
        public override void Execute(LineEditorContext context)
        {
            context.Buffer.Move(0);
            context.Buffer.Clear(0, context.Buffer.Length);
            outcome.Kind = LineReadKind.Interrupted;
            context.Submit(SubmitAction.Cancel);
        }
    }

    /// <summary>Ctrl-D: end of input on an empty line; otherwise delete the character under the cursor.</summary>
    private sealed class EndOfInputCommand(ReadOutcome outcome) : LineEditorCommand
    {
        public override void Execute(LineEditorContext context)
        {
            if (context.Buffer.Length > 0)
            {
                new DeleteCommand().Execute(context);
                return;
            }
            outcome.Kind = LineReadKind.EndOfInput;
            context.Submit(SubmitAction.Cancel);
        }
    }
}
