using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace Prison.Benchmarks.Infrastructure;

/// <summary>
/// The second process of the Linux ping-pong: this assembly started again with <c>--pong ID</c>, under
/// <c>nsenter --ipc=</c> so it lives in the benchmark thread's private IPC namespace.
/// </summary>
[SupportedOSPlatform("linux")]
internal static class PongChild
{
    public const string Flag = "--pong";

    /// <summary>The child's entry: pong until the set is removed.</summary>
    public static int Run(string[] args)
    {
        LinuxPingPong.Pong(int.Parse(args[1], CultureInfo.InvariantCulture));
        return 0;
    }

    /// <summary>Starts the child for set <paramref name="semid"/> in the calling thread's IPC namespace.</summary>
    public static Process Start(int semid)
    {
        // The dotnet host sits three levels above the runtime folder (dotnet/shared/Microsoft.NETCore.App/VERSION/).
        var dotnet = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", "..", "dotnet"));
        var entry = System.Reflection.Assembly.GetEntryAssembly()?.Location ?? throw new InvalidOperationException("no entry assembly");
        var start = new ProcessStartInfo("nsenter") { UseShellExecute = false };
        foreach (var a in (string[])["--ipc=" + PrivateIpcNamespace.CurrentThreadPath(), "--", dotnet, "exec",
                     "--runtimeconfig", Path.ChangeExtension(entry, ".runtimeconfig.json"),
                     typeof(PongChild).Assembly.Location, Flag, semid.ToString(CultureInfo.InvariantCulture)])
            start.ArgumentList.Add(a);
        return Process.Start(start) ?? throw new InvalidOperationException("could not start the pong process");
    }
}
