using System.Globalization;
using Prison.Core;
using Prison.Core.Modules;

namespace Prison.Plugins.SysvMsg;

/// <summary>
/// The message queue limits (FreeBSD's <c>struct msginfo</c>), global across jails. The defaults are
/// FreeBSD's; loader tunables (<c>kern.ipc.msgseg</c> and friends in the kenv) override them at load,
/// and host root may change them later through sysctl. A change affects later calls only: existing
/// queues keep their qbytes, and queued messages keep the segments they were charged.
/// </summary>
/// <remarks>Every field is read and written under the owning <see cref="MsgQueues"/> lock.</remarks>
internal sealed class MsgLimits
{
    /// <summary>FreeBSD's MSGSSZ: bytes per segment (a power of two, 8 to 1024).</summary>
    public const int DefaultMsgssz = 8;
    /// <summary>FreeBSD's MSGSEG: segments in the system.</summary>
    public const int DefaultMsgseg = 2048;
    /// <summary>FreeBSD's MSGMNB: the default qbytes of a new queue.</summary>
    public const int DefaultMsgmnb = 2048;
    /// <summary>FreeBSD's MSGMNI: queue identifiers.</summary>
    public const int DefaultMsgmni = 40;
    /// <summary>FreeBSD's MSGTQL: message headers in the system.</summary>
    public const int DefaultMsgtql = 40;

    /// <summary>The most queue identifiers allowed (Linux's IPCMNI; an id keeps a 16-bit index).</summary>
    public const int MaxMsgmni = 32768;
    /// <summary>FreeBSD's msginit panics above this segment count (segment links are shorts).</summary>
    public const int MaxMsgseg = 32767;

    /// <summary>Informational maximum message size (msgsnd does not check it; FreeBSD computes msgseg * msgssz).</summary>
    public int Msgmax { get; private set; } = DefaultMsgseg * DefaultMsgssz;

    /// <summary>qbytes given to a new queue, and the ceiling IPC_SET clamps to.</summary>
    public int Msgmnb { get; private set; } = DefaultMsgmnb;

    /// <summary>How many queues may exist.</summary>
    public int Msgmni { get; private set; } = DefaultMsgmni;

    /// <summary>How many messages may be queued in the whole system.</summary>
    public int Msgtql { get; private set; } = DefaultMsgtql;

    /// <summary>Segment size: a message of n bytes is charged ceil(n / msgssz) segments.</summary>
    public int Msgssz { get; private set; } = DefaultMsgssz;

    /// <summary>How many segments exist in the whole system.</summary>
    public int Msgseg { get; private set; } = DefaultMsgseg;

    /// <summary>The limits with the loader tunables of <paramref name="kenv"/> applied (FreeBSD's <c>msginit</c>).</summary>
    /// <returns>The limits, or an exception naming the first tunable that is out of range (the load fails).</returns>
    public static MsgLimits FromKenv(TunableReader kenv)
    {
        var limits = new MsgLimits();
        Apply(kenv, "kern.ipc.msgseg", limits.SetMsgseg);
        Apply(kenv, "kern.ipc.msgssz", limits.SetMsgssz);
        limits.Msgmax = limits.Msgseg * limits.Msgssz;
        Apply(kenv, "kern.ipc.msgmni", limits.SetMsgmni);
        Apply(kenv, "kern.ipc.msgmnb", limits.SetMsgmnb);
        Apply(kenv, "kern.ipc.msgtql", limits.SetMsgtql);
        return limits;
    }

    /// <summary>Sets msgmax: 0 or more.</summary>
    public Errno SetMsgmax(long value) => Set(value, 0, int.MaxValue, v => Msgmax = v);

    /// <summary>Sets msgmnb: at least 1 (a queue with qbytes 0 could never take a byte).</summary>
    public Errno SetMsgmnb(long value) => Set(value, 1, int.MaxValue, v => Msgmnb = v);

    /// <summary>Sets msgmni: 1 to <see cref="MaxMsgmni"/>.</summary>
    public Errno SetMsgmni(long value) => Set(value, 1, MaxMsgmni, v => Msgmni = v);

    /// <summary>Sets msgtql: at least 1.</summary>
    public Errno SetMsgtql(long value) => Set(value, 1, int.MaxValue, v => Msgtql = v);

    /// <summary>Sets msgseg: 1 to <see cref="MaxMsgseg"/>.</summary>
    public Errno SetMsgseg(long value) => Set(value, 1, MaxMsgseg, v => Msgseg = v);

    /// <summary>Sets msgssz: a power of two from 8 to 1024, as FreeBSD's msginit demands.</summary>
    public Errno SetMsgssz(long value)
    {
        if (value is < 8 or > 1024 || (value & (value - 1)) != 0)
            return Errno.EINVAL;
        Msgssz = (int)value;
        return Errno.OK;
    }

    /// <summary>The segments a message of <paramref name="msgsz"/> bytes is charged with the current msgssz.</summary>
    public int SegmentsFor(ulong msgsz) => (int)((msgsz + (ulong)Msgssz - 1) / (ulong)Msgssz);

    private static Errno Set(long value, long min, long max, Action<int> store)
    {
        if (value < min || value > max)
            return Errno.EINVAL;
        store((int)value);
        return Errno.OK;
    }

    private static void Apply(TunableReader kenv, string name, Func<long, Errno> set)
    {
        if (kenv.Get(name) is not { } text)
            return;
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) || set(value) != Errno.OK)
            throw new KernelErrorException(Errno.EINVAL, $"tunable {name}={text} is out of range");
    }
}
