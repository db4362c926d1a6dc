using System.Globalization;
using System.Text;

namespace Prison.Cli.Userland;

/// <summary>How zfs(8) and zpool(8) print: sizes as <c>zfs_nicebytes</c>, and columns sized to their contents.</summary>
internal static class ZfsFormat
{
    private static readonly string[] Units = ["B", "K", "M", "G", "T", "P", "E"];

    /// <summary>
    /// libzfs <c>zfs_nicebytes</c>: an exact multiple of its unit without decimals (<c>0B</c>, <c>96K</c>),
    /// otherwise the most precise of 2, 1 or 0 decimals that fits in five characters (<c>1.50K</c>, <c>15.0K</c>).
    /// </summary>
    public static string NiceBytes(long bytes)
    {
        if (bytes < 0)
            return bytes.ToString(CultureInfo.InvariantCulture);
        var n = bytes;
        var index = 0;
        while (n >= 1024 && index < Units.Length - 1)
        {
            n /= 1024;
            index++;
        }
        var unit = Units[index];
        var divisor = 1L << (10 * index);
        if (index == 0 || bytes % divisor == 0)
            return n.ToString(CultureInfo.InvariantCulture) + unit;
        var value = (double)bytes / divisor;
        var text = "";
        for (var decimals = 2; decimals >= 0; decimals--)
        {
            text = value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) + unit;
            if (text.Length <= 5)
                break;
        }
        return text;
    }

    /// <summary>
    /// Prints rows the way zfs list and zfs get do: a header in capitals unless <paramref name="scripted"/>
    /// (<c>-H</c>: no header, one tab between fields), columns two blanks apart and as wide as their widest
    /// cell, <paramref name="rightAligned"/> columns aligned right, the last column never padded.
    /// </summary>
    public static void Table(TextWriter output, IReadOnlyList<string> headers, IReadOnlyList<bool> rightAligned,
        IEnumerable<IReadOnlyList<string>> rows, bool scripted)
    {
        var all = rows.ToList();
        if (scripted)
        {
            foreach (var row in all)
                output.WriteLine(string.Join('\t', row));
            return;
        }
        var widths = headers.Select((h, i) => Math.Max(h.Length, all.Count == 0 ? 0 : all.Max(r => r[i].Length))).ToArray();
        output.WriteLine(Line(headers, widths, rightAligned));
        foreach (var row in all)
            output.WriteLine(Line(row, widths, rightAligned));
    }

    private static string Line(IReadOnlyList<string> cells, int[] widths, IReadOnlyList<bool> rightAligned)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < cells.Count; i++)
        {
            if (i > 0)
                sb.Append("  ");
            var last = i == cells.Count - 1;
            if (rightAligned[i])
                sb.Append(cells[i].PadLeft(widths[i]));
            else
                sb.Append(last ? cells[i] : cells[i].PadRight(widths[i]));
        }
        return sb.ToString();
    }
}
