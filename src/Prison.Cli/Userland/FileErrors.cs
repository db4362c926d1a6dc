namespace Prison.Cli.Userland;

/// <summary>
/// strerror(3) for the host file errors the CLI meets (opening scripts, the history file): .NET's
/// exceptions mapped to the errno FreeBSD's open(2) would give, so messages read
/// <c>prison: x.prison: No such file or directory</c>, never .NET's "Could not find file ...".
/// </summary>
internal static class FileErrors
{
    /// <summary>True for the exceptions a file open or read throws for ordinary reasons.</summary>
    public static bool IsFileError(Exception ex) =>
        ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException or System.Security.SecurityException;

    /// <summary>The errno text for <paramref name="ex"/>.</summary>
    public static string Describe(Exception ex) => ex switch
    {
        FileNotFoundException or DirectoryNotFoundException => "No such file or directory",
        PathTooLongException => "File name too long",
        // .NET reports opening a directory as an access error; open(2) for reading says EISDIR.
        UnauthorizedAccessException when ex.Message.Contains("is a directory", StringComparison.OrdinalIgnoreCase) => "Is a directory",
        UnauthorizedAccessException or System.Security.SecurityException => "Permission denied",
        // An empty path: open("") is ENOENT.
        ArgumentException => "No such file or directory",
        NotSupportedException => "Invalid argument",
        IOException io => FromHResult(io.HResult) ?? "Input/output error",
        _ => "Input/output error",
    };

    /// <summary>The errno text for a path that could not be opened, checking first whether it is a directory.</summary>
    public static string Describe(Exception ex, string path) =>
        ex is UnauthorizedAccessException && Directory.Exists(path) ? "Is a directory" : Describe(ex);

    /// <summary>On Unix .NET puts the errno in the low bits of an IOException's HResult for many errors.</summary>
    private static string? FromHResult(int hresult) => (hresult & 0xFFFF) switch
    {
        2 => "No such file or directory",
        13 => "Permission denied",
        21 => "Is a directory",
        20 => "Not a directory",
        24 => "Too many open files",
        28 => "No space left on device",
        36 or 63 => "File name too long",
        _ => null,
    };
}
