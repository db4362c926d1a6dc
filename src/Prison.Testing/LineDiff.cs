using System.Globalization;
using System.Text;

namespace Prison.Testing;

/// <summary>A small line diff (longest common subsequence) rendered in a unified-like form.</summary>
public static class LineDiff
{
    /// <summary>At most this many changed lines are shown; the rest is summarised.</summary>
    public const int MaxShownChanges = 60;

    /// <summary>Renders the changes from <paramref name="expected"/> to <paramref name="actual"/>, one line of context around each.</summary>
    public static string Render(string expected, string actual)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);
        var a = expected.Split('\n');
        var b = actual.Split('\n');
        // lcs[i, j] = length of the longest common subsequence of a[i..] and b[j..].
        var lcs = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
        {
            for (var j = b.Length - 1; j >= 0; j--)
                lcs[i, j] = a[i] == b[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
        }
        var ops = new List<(char Kind, int Line, string Text)>();
        int x = 0, y = 0;
        while (x < a.Length || y < b.Length)
        {
            if (x < a.Length && y < b.Length && a[x] == b[y])
            {
                ops.Add((' ', x + 1, a[x]));
                x++;
                y++;
            }
            else if (y < b.Length && (x == a.Length || lcs[x, y + 1] >= lcs[x + 1, y]))
            {
                ops.Add(('+', y + 1, b[y]));
                y++;
            }
            else
            {
                ops.Add(('-', x + 1, a[x]));
                x++;
            }
        }
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
}
