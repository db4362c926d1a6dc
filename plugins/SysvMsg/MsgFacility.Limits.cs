using Prison.Core;

namespace Prison.Plugins.SysvMsg;

/// <summary>
/// The limits (<see cref="MsgLimits"/>, FreeBSD's <c>msginfo</c>, the <c>kern.ipc.msg*</c> sysctls): read
/// lock-free by every call, each limit once per check; a change applies to later calls
/// (docs/locking.md, "Limits").
/// </summary>
internal sealed partial class MsgFacility
{
    /// <summary>The limits.</summary>
    public MsgLimits Limits { get; }

    /// <summary>
    /// Changes a limit (EINVAL when out of range, nothing changed); a raise of msgtql / msgseg lets waiting
    /// senders in at once. Takes no lock: the pump that follows takes one queue lock at a time.
    /// </summary>
    public Errno ChangeLimit(Func<long, Errno> set, long value)
    {
        var error = set(value);
        if (error == Errno.OK)
            PumpStarved();
        return error;
    }

    /// <summary>Reads a limit (lock-free).</summary>
    public long ReadLimit(Func<MsgLimits, int> get) => get(Limits);
}
