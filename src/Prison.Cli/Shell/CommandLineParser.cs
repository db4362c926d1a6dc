using System.Text;

namespace Prison.Cli.Shell;

/// <summary>One word of a command line and where its raw text starts in the line.</summary>
/// <param name="Text">The word after quote removal.</param>
/// <param name="Start">The offset of the word's first raw character in the line.</param>
internal readonly record struct Word(string Text, int Start);

/// <summary>
/// Splits a command line into words the way sh(1) does for simple commands: blanks separate words,
/// <c>'...'</c> is literal, <c>"..."</c> allows <c>\"</c> <c>\\</c> <c>\$</c> <c>\`</c>, a backslash outside
/// quotes escapes the next character, and a <c>#</c> that starts a word begins a comment. There are no
/// pipes, redirections or expansions: <c>|</c> and <c>$</c> are ordinary characters (the IPC operations
/// use them in <c>IPC_CREAT|0600</c> and <c>$1</c>).
/// </summary>
internal static class CommandLineParser
{
    /// <summary>The longest line the shell accepts; longer lines are refused, not truncated.</summary>
    public const int MaxLineLength = 64 * 1024;

    /// <summary>Splits <paramref name="line"/>; on a syntax error returns null and the reason.</summary>
    public static IReadOnlyList<Word>? Split(string line, out string? error)
    {
        error = null;
        if (line.Length > MaxLineLength)
        {
            error = $"line too long ({line.Length} characters, at most {MaxLineLength})";
            return null;
        }
        var words = new List<Word>();
        var current = new StringBuilder();
        var inWord = false;
        var start = 0;
        var i = 0;
        while (i < line.Length)
        {
            var c = line[i];
            if (c is ' ' or '\t' or '\r' or '\n')
            {
                if (inWord)
                {
                    words.Add(new Word(current.ToString(), start));
                    current.Clear();
                    inWord = false;
                }
                i++;
                continue;
            }
            if (!inWord)
            {
                if (c == '#')
                    break;
                inWord = true;
                start = i;
            }
            switch (c)
            {
                case '\'':
                    var close = line.IndexOf('\'', i + 1);
                    if (close < 0)
                    {
                        error = "syntax error: unterminated quoted string";
                        return null;
                    }
                    current.Append(line, i + 1, close - i - 1);
                    i = close + 1;
                    break;
                case '"':
                    i++;
                    while (true)
                    {
                        if (i >= line.Length)
                        {
                            error = "syntax error: unterminated quoted string";
                            return null;
                        }
                        var d = line[i];
                        if (d == '"')
                        {
                            i++;
                            break;
                        }
                        if (d == '\\' && i + 1 < line.Length && line[i + 1] is '"' or '\\' or '$' or '`')
                        {
                            current.Append(line[i + 1]);
                            i += 2;
                            continue;
                        }
                        current.Append(d);
                        i++;
                    }
                    break;
                case '\\':
                    if (i + 1 >= line.Length)
                    {
                        error = "syntax error: backslash at end of line";
                        return null;
                    }
                    current.Append(line[i + 1]);
                    i += 2;
                    break;
                default:
                    current.Append(c);
                    i++;
                    break;
            }
        }
        if (inWord)
            words.Add(new Word(current.ToString(), start));
        return words;
    }

    /// <summary>
    /// sh's <c>&amp;</c> at the end of a simple command: a last word <c>&amp;</c>, or a last word ending in an
    /// unquoted <c>&amp;</c> (<c>cmd&amp;</c>). Removes it from <paramref name="words"/> and returns true when
    /// present, with <paramref name="line"/> cut before the <c>&amp;</c>; a quoted or escaped <c>&amp;</c>
    /// (<c>'&amp;'</c>, <c>\&amp;</c>) is an ordinary character.
    /// </summary>
    public static bool TakeBackground(ref IReadOnlyList<Word> words, ref string line)
    {
        if (words.Count == 0)
            return false;
        var raw = line.TrimEnd(' ', '\t', '\r', '\n');
        var commentFree = raw;
        var last = words[^1];
        // The raw text of the last word runs from its start to the end of the line (comments excluded:
        // a word never starts with #, and Split stops there).
        var hash = IndexOfComment(line, last.Start);
        if (hash >= 0)
            commentFree = line[..hash].TrimEnd(' ', '\t');
        if (!commentFree.EndsWith('&') || !last.Text.EndsWith('&'))
            return false;
        var rawLast = commentFree[last.Start..];
        if (rawLast.EndsWith("\\&", StringComparison.Ordinal) || rawLast.EndsWith('\'') || rawLast.EndsWith('"'))
            return false;
        var list = words.ToList();
        line = commentFree[..^1];
        if (last.Text == "&")
            list.RemoveAt(list.Count - 1);
        else
            list[^1] = last with { Text = last.Text[..^1] };
        words = list;
        return true;
    }

    /// <summary>Where an unquoted comment starts after <paramref name="from"/> (a blank then #), or -1.</summary>
    private static int IndexOfComment(string line, int from)
    {
        var quote = '\0';
        for (var i = from; i < line.Length; i++)
        {
            var c = line[i];
            if (quote != '\0')
            {
                if (c == quote)
                    quote = '\0';
                else if (c == '\\' && quote == '"')
                    i++;
                continue;
            }
            if (c is '\'' or '"')
                quote = c;
            else if (c == '\\')
                i++;
            else if (c == '#' && i > 0 && line[i - 1] is ' ' or '\t')
                return i;
        }
        return -1;
    }

    /// <summary>Shows a word safely in one line of output: control characters become <c>\xHH</c>.</summary>
    public static string Printable(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var c in text.Length > 80 ? text[..80] + "..." : text)
        {
            if (char.IsControl(c) || char.IsSurrogate(c) || c is '\u2028' or '\u2029' or '\u0085')
                sb.Append(System.Globalization.CultureInfo.InvariantCulture, $"\\x{(int)c:x2}");
            else
                sb.Append(c);
        }
        return sb.ToString();
    }
}
