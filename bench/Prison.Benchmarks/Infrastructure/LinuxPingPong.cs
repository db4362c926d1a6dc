using System.Runtime.Versioning;
using Prison.IpcScript.Linux;

namespace Prison.Benchmarks.Infrastructure;

/// <summary>
/// The two sides of a ping-pong through a Linux semaphore set of two: semaphore 0 carries the ping,
/// semaphore 1 the pong. The ponger stops when the set is removed (its semop fails with EIDRM).
/// </summary>
[SupportedOSPlatform("linux")]
internal static unsafe class LinuxPingPong
{
    /// <summary>IPC_NOWAIT on Linux (04000).</summary>
    private const short IpcNoWait = 0x800;

    public static int CreateSet()
    {
        var id = LinuxNative.SemGet(0, 2, 0x180);
        return id >= 0 ? id : throw new InvalidOperationException("semget: " + LinuxErrno.Name(LinuxNative.Errno));
    }

    public static void Remove(int id) => LinuxNative.SemCtl(id, 0, LinuxNative.IPC_RMID, 0);

    public static bool Op(int id, ushort num, short op, short flg = 0)
    {
        var b = new LinuxSemBuf(num, op, flg);
        return LinuxNative.SemOp(id, (byte*)&b, 1) == 0;
    }

    /// <summary>One round trip from the pinger's side.</summary>
    public static void RoundTrip(int id)
    {
        if (!Op(id, 0, 1) || !Op(id, 1, -1))
            throw new InvalidOperationException("semop: " + LinuxErrno.Name(LinuxNative.Errno));
    }

    /// <summary>The ponger: answers every ping until the set goes away.</summary>
    public static void Pong(int id)
    {
        while (Op(id, 0, -1) && Op(id, 1, 1))
        {
        }
    }

    /// <summary>One round trip that gives up after <paramref name="timeout"/> (to see that a ponger is there).</summary>
    public static bool TryRoundTrip(int id, TimeSpan timeout, Func<bool> pongerAlive)
    {
        if (!Op(id, 0, 1))
            return false;
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline && pongerAlive())
        {
            if (Op(id, 1, -1, IpcNoWait))
                return true;
            Thread.Sleep(5);
        }
        return false;
    }
}
