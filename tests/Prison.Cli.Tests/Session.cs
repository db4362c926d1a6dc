using Prison.Cli.Shell;
using Prison.Core;
using Prison.Core.Procs;

namespace Prison.Cli.Tests;

/// <summary>A shell over a fresh kernel with captured output, driven line by line as the binary does.</summary>
internal sealed class Session : IDisposable
{
    public Session(Kernel? kernel = null)
    {
        Kernel = kernel ?? new Kernel();
        Shell = new Shell.Shell(Kernel, Out, Err);
    }

    public Kernel Kernel { get; }

    public Shell.Shell Shell { get; }

    public StringWriter Out { get; } = new();

    public StringWriter Err { get; } = new();

    /// <summary>Runs one line; returns its status, standard output and standard error, then clears them.</summary>
    public (int Status, string Out, string Err) Run(string line)
    {
        var status = Shell.Execute(line);
        var result = (status, Out.ToString(), Err.ToString());
        Out.GetStringBuilder().Clear();
        Err.GetStringBuilder().Clear();
        return result;
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
