namespace Prison.IpcScript.Language;

/// <summary>Splits a script line into tokens (spec section 2).</summary>
internal static class Tokenizer
{
    /// <summary>The most tokens a line may have.</summary>
    public const int MaxTokens = 64;

    /// <summary>
    /// The tokens of <paramref name="line"/>: separated by spaces and tabs, a trailing CR ignored, and a
    /// token that starts with <c>#</c> beginning a comment (a <c>#</c> inside a token is ordinary).
    /// </summary>
    public static List<string> Split(string line)
    {
        var end = line.EndsWith('\r') ? line.Length - 1 : line.Length;
        var tokens = new List<string>(4);
        // One pass, one string per token (string.Split would also allocate its separator and result arrays).
        var i = 0;
        while (i < end)
        {
            if (line[i] is ' ' or '\t')
            {
                i++;
                continue;
            }
            if (line[i] == '#')
                break;
            var start = i;
            while (i < end && line[i] is not (' ' or '\t'))
                i++;
            tokens.Add(line[start..i]);
        }
        return tokens;
    }
}
