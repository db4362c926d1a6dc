using System.Runtime.CompilerServices;
using System.Text;

namespace Prison.Testing;

/// <summary>
/// Approved-file assertions in the style of Verify: the expected text lives beside the test as
/// <c>{TestClass}.{Method}.verified.txt</c>. On a mismatch the actual text is written to
/// <c>{TestClass}.{Method}.received.txt</c> and the assertion fails with a line diff; approve a change by
/// renaming the received file, or run the tests with <c>PRISON_ACCEPT=1</c> to accept every received text.
/// </summary>
public static class Approvals
{
    /// <summary>The environment variable that accepts received texts as verified.</summary>
    public const string AcceptVariable = "PRISON_ACCEPT";

    /// <summary>Compares <paramref name="text"/> with the verified file of the calling test.</summary>
    /// <param name="text">The actual text; line endings are normalised to <c>\n</c>.</param>
    /// <param name="file">Filled in by the compiler: the calling test's source file.</param>
    /// <param name="method">Filled in by the compiler: the calling test method.</param>
    /// <exception cref="ApprovalException">The text differs from the verified file, or there is none.</exception>
    public static void Verify(string text, [CallerFilePath] string file = "", [CallerMemberName] string method = "")
    {
        ArgumentNullException.ThrowIfNull(text);
        var directory = Path.GetDirectoryName(file) ?? ".";
        var stem = Path.Combine(directory, $"{Path.GetFileNameWithoutExtension(file)}.{method}");
        VerifyFile(text, stem + ".verified.txt", stem + ".received.txt");
    }

    /// <summary>Compares <paramref name="text"/> with an explicit verified file.</summary>
    /// <param name="text">The actual text.</param>
    /// <param name="verifiedPath">The approved text.</param>
    /// <param name="receivedPath">Where the actual text goes on a mismatch.</param>
    public static void VerifyFile(string text, string verifiedPath, string receivedPath)
    {
        ArgumentNullException.ThrowIfNull(text);
        var actual = Normalize(text);
        var accept = Environment.GetEnvironmentVariable(AcceptVariable) == "1";
        var exists = File.Exists(verifiedPath);
        var expected = exists ? Normalize(File.ReadAllText(verifiedPath)) : null;
        if (expected == actual)
        {
            File.Delete(receivedPath);
            return;
        }
        if (accept)
        {
            File.WriteAllText(verifiedPath, actual);
            File.Delete(receivedPath);
            return;
        }
        File.WriteAllText(receivedPath, actual);
        var message = new StringBuilder();
        if (expected is null)
        {
            message.AppendLine($"No verified file {Path.GetFileName(verifiedPath)}; the actual text is in {receivedPath}.");
            message.AppendLine($"Review it, then rename it to .verified.txt (or run with {AcceptVariable}=1).");
        }
        else
        {
            message.AppendLine($"The text differs from {Path.GetFileName(verifiedPath)}; the actual text is in {receivedPath}.");
            message.AppendLine("--- verified");
            message.AppendLine("+++ received");
            message.Append(LineDiff.Render(expected, actual));
        }
        throw new ApprovalException(message.ToString());
    }

    private static string Normalize(string text)
    {
        var t = text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
        return t.EndsWith('\n') || t.Length == 0 ? t : t + "\n";
    }
}

/// <summary>An approved-file mismatch.</summary>
public sealed class ApprovalException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ApprovalException() { }

    /// <summary>Creates the exception with the diff as its message.</summary>
    public ApprovalException(string message) : base(message) { }

    /// <summary>Creates the exception.</summary>
    public ApprovalException(string message, Exception inner) : base(message, inner) { }
}
