using Prison.Cli.Shell;
using Prison.Core;
using Prison.Core.Procs;

namespace Prison.Cli.Tests;

/// <summary>A shell over a fresh kernel with captured output, driven line by line as the binary does.</summary>
internal sealed class Session : IDisposable
{
    // Background jobs write from their own threads. The shell gets synchronized wrappers, whose methods
    // lock the wrapper (MethodImplOptions.Synchronized), so Run takes and clears the text under that same
    // lock: a line written meanwhile lands wholly before or wholly after, never half-cleared.
    private readonly TextWriter _outSync;
    private readonly TextWriter _errSync;

    public Session(Kernel? kernel = null)
    {
        Kernel = kernel ?? new Kernel();
        _outSync = TextWriter.Synchronized(Out);
        _errSync = TextWriter.Synchronized(Err);
        Shell = new Shell.Shell(Kernel, _outSync, _errSync);
    }

    public Kernel Kernel { get; }

    public Shell.Shell Shell { get; }

    public StringWriter Out { get; } = new();

    public StringWriter Err { get; } = new();

    /// <summary>Runs one line; returns its status, standard output and standard error, then clears them.</summary>
    public (int Status, string Out, string Err) Run(string line)
    {
        var status = Shell.Execute(line);
        return (status, Take(Out, _outSync), Take(Err, _errSync));
    }

    private static string Take(StringWriter writer, TextWriter synchronized)
    {
        lock (synchronized)
        {
            var text = writer.ToString();
            writer.GetStringBuilder().Clear();
            return text;
        }
    }

    /// <summary>Runs a line that must succeed with nothing on standard error; returns standard output.</summary>
    public string Ok(string line)
    {
        var (status, output, error) = Run(line);
        Assert.True(status == 0 && error.Length == 0, $"`{line}' -> {status}: {error}");
        return output;
    }

    /// <summary>Runs a line that must fail; returns standard error.</summary>
    public string Fails(string line, int? status = null)
    {
        var (code, output, error) = Run(line);
        Assert.True(code != 0, $"`{line}' succeeded: {output}");
        if (status is { } s)
            Assert.Equal(s, code);
        return error;
    }

    public Proc RootIn(string jail)
    {
        var j = Kernel.Jails.FindVisible(Kernel.Prison0, jail)!;
        return Kernel.Processes.Spawn(Ucred.Root(j), "test", Kernel.Init).Value;
    }

    public void Dispose()
    {
        Shell.Dispose();
        Kernel.Dispose();
    }
}

/// <summary>Where the repository's files are, found from this source file's path.</summary>
internal static class RepoPaths
{
    public static string Root([System.Runtime.CompilerServices.CallerFilePath] string here = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", ".."));

    public static string Example(string name) => Path.Combine(Root(), "examples", name);
}
