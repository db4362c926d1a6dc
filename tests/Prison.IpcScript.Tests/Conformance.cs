using System.Diagnostics;
using Prison.Core;
using Prison.Core.Procs;

namespace Prison.IpcScript.Tests;

/// <summary>The conformance scripts and the two ways of running them (Prison, and the Linux oracle).</summary>
internal static class Conformance
{
    public static readonly string[] Scripts = ["shm", "sem", "msg"];

    private static readonly Lazy<string?> UnshareProblem = new(ProbeUnshare);

    public static string Folder => Path.Combine(AppContext.BaseDirectory, "conformance");

    public static string ScriptPath(string name) => Path.Combine(Folder, name + ".ipc");

    /// <summary>The recorded Linux output (checked by reading it; the oracle test keeps it honest).</summary>
    public static string[] Recorded(string name) => File.ReadAllLines(Path.Combine(Folder, name + ".linux.out"));

    /// <summary>The non-blank, non-comment lines of a script, to label a mismatch.</summary>
    public static string[] ScriptLines(string name) =>
        File.ReadAllLines(ScriptPath(name)).Where(l => new IpcScriptSession(new FakeBackend()).Execute(l) is not null).ToArray();

    /// <summary>Why the oracle cannot run here, or null when it can.</summary>
    public static string? OracleUnavailable => UnshareProblem.Value;

    /// <summary>Runs a script through the Linux oracle in a fresh IPC namespace.</summary>
    public static string[] RunOracle(string name)
    {
        var (code, stdout, stderr) = Run("unshare", ["--ipc", DotnetHost, OracleDll, ScriptPath(name)]);
        var lines = stdout.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');
        Assert.True(code == ExpectedStatus(lines), $"the oracle failed with exit code {code}: {stderr}");
        return lines;
    }

    /// <summary>Runs a script through Prison: a fresh kernel with the three modules, one root process in the host.</summary>
    public static string[] RunPrison(string name)
    {
        using var kernel = new Kernel();
        Assert.True(kernel.Modules.LoadInstance(new Prison.Plugins.SysvShm.SysvShmModule()).Ok);
        Assert.True(kernel.Modules.LoadInstance(new Prison.Plugins.SysvSem.SysvSemModule()).Ok);
        Assert.True(kernel.Modules.LoadInstance(new Prison.Plugins.SysvMsg.SysvMsgModule()).Ok);
        var proc = kernel.Processes.Spawn(Ucred.Root(kernel.Prison0), "ipc-script").Value;
        var output = new StringWriter();
        int status;
        using (var input = new StreamReader(ScriptPath(name), System.Text.Encoding.Latin1))
            status = ScriptRunner.Run(input, output, new PrisonBackend(kernel.Syscalls, proc));
        var lines = output.ToString().ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');
        Assert.Equal(ExpectedStatus(lines), status);
        return lines;
    }

    /// <summary>A runner exits 0 when every line ran, and EX_DATAERR when a line was a script error (bad ...).</summary>
    private static int ExpectedStatus(IEnumerable<string> lines) =>
        lines.Any(IpcScriptSession.IsBad) ? ScriptRunner.BadLineStatus : 0;

    /// <summary>Asserts two outputs agree line by line, naming the first script line that differs.</summary>
    public static void AssertSame(string name, string[] expected, string[] actual, string expectedLabel, string actualLabel)
    {
        var lines = ScriptLines(name);
        for (var i = 0; i < Math.Max(expected.Length, actual.Length); i++)
        {
            var e = i < expected.Length ? expected[i] : "<none>";
            var a = i < actual.Length ? actual[i] : "<none>";
            Assert.True(e == a, $"{name}.ipc line '{(i < lines.Length ? lines[i] : "?")}': {expectedLabel} '{e}', {actualLabel} '{a}'");
        }
    }

    private static string DotnetHost => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    /// <summary>The oracle as built beside this test project (tools/Prison.IpcOracle/bin/CONFIG/TFM).</summary>
    private static string OracleDll
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Prison.sln")))
                dir = dir.Parent;
            Assert.NotNull(dir);
#if DEBUG
            const string config = "Debug";
#else
            const string config = "Release";
#endif
            var tfm = new DirectoryInfo(AppContext.BaseDirectory).Name;
            var dll = Path.Combine(dir.FullName, "tools", "Prison.IpcOracle", "bin", config, tfm, "Prison.IpcOracle.dll");
            Assert.True(File.Exists(dll), $"the oracle is not built: {dll}");
            return dll;
        }
    }

    private static string? ProbeUnshare()
    {
        if (!OperatingSystem.IsLinux())
            return "the oracle needs Linux";
        try
        {
            var (code, _, stderr) = Run("unshare", ["--ipc", "true"]);
            return code == 0 ? null : $"'unshare --ipc true' failed ({code}): {stderr.Trim()}";
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return "unshare is not available: " + ex.Message;
        }
    }

    private static (int Code, string Stdout, string Stderr) Run(string file, string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
            start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout, stderr.Result);
    }
}
