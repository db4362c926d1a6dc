using System.Globalization;
using System.Text;
using DiffPlex;
using DiffPlex.Model;

namespace Prison.Testing;

/// <summary>
/// The line diff shown when a snapshot does not match its approved file: DiffPlex's line diff
/// (Myers' algorithm, linear memory), rendered in a unified-like form with one line of context.
/// </summary>
/// <remarks>Each shown line is <c>KIND LINE| TEXT</c>: KIND is ' ' (unchanged), '-' (only in the
/// approved text; LINE counts there) or '+' (only in the received text; LINE counts there).</remarks>
public static class LineDiff
{
    /// <summary>At most this many changed lines are shown; the rest is summarised.</summary>
    public const int MaxShownChanges = 60;

    /// <summary>Renders the changes from <paramref name="expected"/> to <paramref name="actual"/>, one line of context around each.</summary>
    /// <param name="expected">The approved text.</param>
    /// <param name="actual">The received text.</param>
    /// <returns>The diff, empty when the texts have the same lines.</returns>
    public static string Render(string expected, string actual)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);
        var ops = Operations(expected, actual);
        var sb = new StringBuilder();
        var shown = 0;
        var changes = ops.Count(o => o.Kind != ' ');
        var lastPrinted = -1;
        for (var k = 0; k < ops.Count && shown < MaxShownChanges; k++)
        {
            var near = ops[k].Kind != ' '
                || (k > 0 && ops[k - 1].Kind != ' ')
                || (k + 1 < ops.Count && ops[k + 1].Kind != ' ');
            if (!near)
                continue;
            if (lastPrinted >= 0 && k > lastPrinted + 1)
                sb.AppendLine("@@");
            if (ops[k].Kind != ' ')
                shown++;
            sb.AppendLine(CultureInfo.InvariantCulture, $"{ops[k].Kind}{ops[k].Line,5}| {ops[k].Text}");
            lastPrinted = k;
        }
        if (changes > shown)
            sb.AppendLine(CultureInfo.InvariantCulture, $"... and {changes - shown} more changed lines");
        return sb.ToString();
    }

    /// <summary>Every line of both texts in diff order: unchanged, deleted ('-') before inserted ('+') in each changed block.</summary>
    private static List<(char Kind, int Line, string Text)> Operations(string expected, string actual)
    {
        // Split on '\n' only (not DiffPlex's line chunker, which also splits on '\r'): a stray '\r'
        // must show up as a changed line, as it is one in the approved file.
        var diff = Differ.Instance.CreateDiffs(expected, actual, ignoreWhiteSpace: false, ignoreCase: false, NewlineChunker.Instance);
        var a = diff.PiecesOld;
        var b = diff.PiecesNew;
        var ops = new List<(char Kind, int Line, string Text)>(Math.Max(a.Count, b.Count));
        int x = 0, y = 0;
        foreach (DiffBlock block in diff.DiffBlocks)
        {
            for (; x < block.DeleteStartA; x++, y++)
                ops.Add((' ', x + 1, a[x]));
            for (var i = 0; i < block.DeleteCountA; i++, x++)
                ops.Add(('-', x + 1, a[x]));
            for (var i = 0; i < block.InsertCountB; i++, y++)
                ops.Add(('+', y + 1, b[y]));
        }
        for (; x < a.Count; x++)
            ops.Add((' ', x + 1, a[x]));
        return ops;
    }

    private sealed class NewlineChunker : IChunker
    {
        public static readonly NewlineChunker Instance = new();

        public IReadOnlyList<string> Chunk(string text) => text.Split('\n');
    }
}
