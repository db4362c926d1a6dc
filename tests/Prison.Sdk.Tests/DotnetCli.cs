using System.Diagnostics;
using System.Text;

namespace Prison.Sdk.Tests;

/// <summary>Runs the dotnet CLI (and other programs) for the outside-path test, with a private environment.</summary>
internal sealed class DotnetCli(string workDir, IReadOnlyDictionary<string, string> environment, Action<string> log)
{
    /// <summary>The dotnet host that runs this test (the SDK's dotnet), or "dotnet" from PATH.</summary>
    public static string Host { get; } = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h && File.Exists(h) ? h : "dotnet";

    /// <summary>Null when the dotnet CLI runs here; otherwise why not.</summary>
    public static string? Unavailable()
    {
        try
        {
            var r = RunRaw(Host, ["--version"], Directory.GetCurrentDirectory(), new Dictionary<string, string>(), TimeSpan.FromSeconds(60));
            return r.ExitCode == 0 ? null : $"`dotnet --version` exited with {r.ExitCode}: {r.Output}";
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return $"the dotnet CLI cannot be started: {ex.Message}";
        }
    }

    public string Dotnet(TimeSpan timeout, params string[] args) => Run(Host, args, timeout);

    public string Run(string program, string[] args, TimeSpan timeout, string? cwd = null, string? stdin = null)
    {
        log($"$ {Path.GetFileName(program)} {string.Join(' ', args)}");
        var sw = Stopwatch.StartNew();
        var r = RunRaw(program, args, cwd ?? workDir, environment, timeout, stdin);
        log($"  exit {r.ExitCode} after {sw.Elapsed.TotalSeconds:0.0} s");
        if (r.ExitCode != 0)
            throw new InvalidOperationException($"`{Path.GetFileName(program)} {string.Join(' ', args)}` exited with {r.ExitCode}:\n{r.Output}");
        return r.Output;
    }

    private static (int ExitCode, string Output) RunRaw(string program, string[] args, string cwd,
        IReadOnlyDictionary<string, string> environment, TimeSpan timeout, string? stdin = null)
    {
        var psi = new ProcessStartInfo(program)
        {
            WorkingDirectory = cwd,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        // The child must not inherit this test host's MSBuild/test settings.
        foreach (var name in new[] { "MSBuildExtensionsPath", "MSBUILD_EXE_PATH", "MSBuildSDKsPath", "MSBuildLoadMicrosoftTargetsReadOnly", "VSTEST_HOST_DEBUG" })
            psi.Environment.Remove(name);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        psi.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        foreach (var (k, v) in environment)
            psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var output = new StringBuilder();
        var gate = new object();
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (gate) output.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (gate) output.AppendLine(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        if (stdin is not null)
            p.StandardInput.Write(stdin);
        p.StandardInput.Close();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
            lock (gate)
                return (-1, $"timed out after {timeout.TotalSeconds} s\n{output}");
        }
        p.WaitForExit();
        lock (gate)
            return (p.ExitCode, output.ToString());
    }
}
