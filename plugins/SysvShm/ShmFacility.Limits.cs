using Prison.Core;

namespace Prison.Plugins.SysvShm;

/// <summary>
/// The limits (<see cref="ShmLimits"/>, FreeBSD's <c>shminfo</c>, the <c>kern.ipc.shm*</c> sysctls): read
/// lock-free by every call, each limit once per check; a change applies to later calls
/// (docs/locking.md, "Limits").
/// </summary>
internal sealed partial class ShmFacility
{
    /// <summary>The tunables.</summary>
    public ShmLimits Limits { get; } = new();

    /// <summary>Reads a tunable (lock-free).</summary>
    public long GetLimit(ShmTunable tunable) => tunable.Get(Limits);

    /// <summary>Writes a tunable (EINVAL when out of range, nothing changed); takes no lock.</summary>
    public Errno SetLimit(ShmTunable tunable, long value) => tunable.Set(Limits, value);
}
