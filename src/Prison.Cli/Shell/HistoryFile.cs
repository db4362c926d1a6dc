using Prison.Cli.Userland;

namespace Prison.Cli.Shell;

/// <summary>
/// The history kept between sessions, as sh(1) keeps <c>~/.sh_history</c>: one line per entry in
/// <c>$HISTFILE</c>, by default <c>~/.prison_history</c>; at most <c>$HISTSIZE</c> lines (default 500).
/// An empty <c>HISTFILE</c> keeps no file. A file that cannot be read or written costs the history,
/// never the session: the error is reported once on standard error, in errno words.
/// </summary>
internal sealed class HistoryFile
{
    /// <summary>The entries kept when HISTSIZE is not set.</summary>
    public const int DefaultSize = 500;

    private readonly TextWriter _error;
    private bool _reported;

    public HistoryFile(string? path, int size, TextWriter error)
    {
        Path = path;
        Size = size;
        _error = error;
    }

    /// <summary>The file, or null when none is kept.</summary>
    public string? Path { get; }

    /// <summary>The most entries kept.</summary>
    public int Size { get; }

    /// <summary>The file sh's conventions name: <c>$HISTFILE</c>, else <c>~/.prison_history</c>.</summary>
    public static HistoryFile FromEnvironment(TextWriter error)
    {
        var histfile = Environment.GetEnvironmentVariable("HISTFILE");
        string? path;
        if (histfile is not null)
        {
            path = histfile.Length == 0 ? null : histfile;
        }
        else
        {
            var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            path = string.IsNullOrEmpty(home) ? null : System.IO.Path.Combine(home, ".prison_history");
        }
        var size = int.TryParse(Environment.GetEnvironmentVariable("HISTSIZE"), out var n) && n >= 0 ? n : DefaultSize;
        return new HistoryFile(path, size, error);
    }

    /// <summary>The entries in the file, oldest first (none when there is no file yet).</summary>
    public IReadOnlyList<string> Load()
    {
        if (Path is null || !File.Exists(Path))
            return [];
        try
        {
            var lines = File.ReadAllLines(Path).Where(l => l.Length > 0).ToArray();
            return lines.Length > Size ? lines[^Size..] : lines;
        }
        catch (Exception ex) when (FileErrors.IsFileError(ex))
        {
            Report(ex);
            return [];
        }
    }

    /// <summary>Appends <paramref name="line"/>, trimming the file to <see cref="Size"/> entries now and then.</summary>
    public void Append(string line)
    {
        if (Path is null || Size == 0 || line.Contains('\n', StringComparison.Ordinal))
            return;
        try
        {
            File.AppendAllText(Path, line + "\n");
            var lines = File.ReadAllLines(Path);
            // Rewrite only when the file has grown well past the limit, so an append stays cheap.
            if (lines.Length > Size * 2)
                File.WriteAllLines(Path, lines[^Size..]);
        }
        catch (Exception ex) when (FileErrors.IsFileError(ex))
        {
            Report(ex);
        }
    }

    private void Report(Exception ex)
    {
        if (_reported)
            return;
        _reported = true;
        _error.WriteLine($"prison: {Path}: {FileErrors.Describe(ex, Path!)}");
    }
}
