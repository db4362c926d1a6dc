using System.Runtime.Versioning;
using System.Text;
using Prison.IpcScript.Linux;

namespace Prison.Benchmarks.Infrastructure;

/// <summary>
/// Puts the calling thread in a fresh System V IPC namespace, so the kernel baselines start empty and
/// leave nothing behind. Linux namespaces belong to threads: only the thread that called
/// <see cref="Enter"/> (and threads or processes it starts afterwards) see the private namespace, so a
/// kernel baseline must run on the thread that set it up (BenchmarkDotNet runs GlobalSetup and the
/// workload on the same thread).
/// </summary>
[SupportedOSPlatform("linux")]
internal static unsafe class PrivateIpcNamespace
{
    private static readonly Lazy<string?> Unavailable = new(ProbeOnThrowawayThread);

    /// <summary>Why the kernel baselines cannot run here, or null when they can.</summary>
    public static string? WhyUnavailable => Unavailable.Value;

    /// <summary>unshare(CLONE_NEWIPC) for the calling thread; throws with a clear message when it fails.</summary>
    public static void Enter()
    {
        if (LinuxNative.Unshare(LinuxNative.CLONE_NEWIPC) != 0)
            throw new InvalidOperationException($"kernel baseline skipped: unshare(CLONE_NEWIPC) failed with {LinuxErrno.Name(LinuxNative.Errno)} (needs root or CAP_SYS_ADMIN)");
    }

    /// <summary>The /proc path of the calling thread's IPC namespace (for nsenter --ipc=...).</summary>
    public static string CurrentThreadPath() => $"/proc/{LinuxNative.GetPid()}/task/{LinuxNative.GetTid()}/ns/ipc";

    /// <summary>Writes a /proc/sys/kernel value for the calling thread's namespace (shmmni, msgmnb, ...).</summary>
    public static void SetKernelLimit(string name, long value)
    {
        var fd = LinuxNative.Open("/proc/sys/kernel/" + name, LinuxNative.O_WRONLY);
        if (fd < 0)
            throw new InvalidOperationException($"open /proc/sys/kernel/{name}: {LinuxErrno.Name(LinuxNative.Errno)}");
        try
        {
            var bytes = Encoding.ASCII.GetBytes(value.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\n");
            fixed (byte* p = bytes)
            {
                if (LinuxNative.Write(fd, p, (nuint)bytes.Length) < 0)
                    throw new InvalidOperationException($"write /proc/sys/kernel/{name}: {LinuxErrno.Name(LinuxNative.Errno)}");
            }
        }
        finally
        {
            LinuxNative.Close(fd);
        }
    }

    /// <summary>Tries unshare on a thread that then exits, so the probe changes nothing for the caller.</summary>
    private static string? ProbeOnThrowawayThread()
    {
        string? why = null;
        var probe = new Thread(() =>
        {
            try
            {
                Enter();
            }
            catch (InvalidOperationException e)
            {
                why = e.Message;
            }
        });
        probe.Start();
        probe.Join();
        return why;
    }
}
