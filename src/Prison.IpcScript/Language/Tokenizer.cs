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
        if (line.EndsWith('\r'))
            line = line[..^1];
        var tokens = new List<string>();
        foreach (var token in line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
        {
            if (token[0] == '#')
                break;
            tokens.Add(token);
        }
        return tokens;
    }
}
