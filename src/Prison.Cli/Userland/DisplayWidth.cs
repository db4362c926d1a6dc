using System.Globalization;
using System.Text;

namespace Prison.Cli.Userland;

/// <summary>
/// Terminal columns of text, as wcwidth(3) counts them: East Asian wide and fullwidth characters (and
/// emoji) take two columns, combining marks and format characters none, everything else one. Columns of
/// tables are padded by this width, not by string length, so <c>日本語</c> lines up with <c>abc</c>.
/// </summary>
internal static class DisplayWidth
{
    /// <summary>The columns <paramref name="text"/> takes.</summary>
    public static int Of(string text)
    {
        var width = 0;
        foreach (var rune in text.EnumerateRunes())
            width += Of(rune);
        return width;
    }

    /// <summary>The columns one character takes (0, 1 or 2).</summary>
    public static int Of(Rune rune)
    {
        var category = Rune.GetUnicodeCategory(rune);
        if (category is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark or UnicodeCategory.Format || rune.Value == 0)
            return 0;
        var v = rune.Value;
        var wide = v is >= 0x1100 and <= 0x115F or >= 0x2E80 and <= 0x303E or >= 0x3041 and <= 0x33FF
            or >= 0x3400 and <= 0x4DBF or >= 0x4E00 and <= 0x9FFF or >= 0xA000 and <= 0xA4CF
            or >= 0xAC00 and <= 0xD7A3 or >= 0xF900 and <= 0xFAFF or >= 0xFE30 and <= 0xFE4F
            or >= 0xFF00 and <= 0xFF60 or >= 0xFFE0 and <= 0xFFE6 or >= 0x1F300 and <= 0x1F64F
            or >= 0x1F900 and <= 0x1F9FF or >= 0x20000 and <= 0x3FFFD;
        return wide ? 2 : 1;
    }

    /// <summary>
    /// <paramref name="text"/> padded with blanks to <paramref name="columns"/> columns; with
    /// <paramref name="cut"/>, first cut to at most that many columns (printf's <c>%-29.29s</c>, by columns).
    /// </summary>
    public static string PadRight(string text, int columns, bool cut = false)
    {
        if (cut)
            text = Cut(text, columns);
        var width = Of(text);
        return width >= columns ? text : text + new string(' ', columns - width);
    }

    /// <summary>The longest prefix of <paramref name="text"/> that fits in <paramref name="columns"/> columns.</summary>
    public static string Cut(string text, int columns)
    {
        var sb = new StringBuilder();
        var width = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            var w = Of(rune);
            if (width + w > columns)
                break;
            width += w;
            sb.Append(rune.ToString());
        }
        return sb.ToString();
    }
}
