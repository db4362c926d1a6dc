namespace Prison.IpcScript.Language;

/// <summary>
/// The first script-level problem of a line (<c>bad REASON</c> or <c>skip unsupported</c>). Parsers
/// report into it and keep going with a default value; the first report wins, later ones are ignored,
/// and nothing is called once a problem is recorded.
/// </summary>
internal sealed class LineProblem
{
    /// <summary>The result line for the problem, or null while there is none.</summary>
    public string? Result { get; private set; }

    /// <summary>True once a problem has been recorded.</summary>
    public bool Found => Result is not null;

    /// <summary>Records <c>bad REASON</c> unless a problem was already found.</summary>
    public void Bad(string reason) => Result ??= "bad " + reason;

    /// <summary>Records <c>skip REASON</c> unless a problem was already found.</summary>
    public void Skip(string reason) => Result ??= "skip " + reason;
}
