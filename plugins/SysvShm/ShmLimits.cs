using System.Globalization;
using Microsoft.Extensions.Logging;
using Prison.Core;
using Prison.Core.Ipc;
using Prison.Core.Modules;

namespace Prison.Plugins.SysvShm;

/// <summary>
/// The sysvshm tunables, FreeBSD's <c>shminfo</c> plus <c>shm_allow_removed</c> and <c>shm_use_phys</c>,
/// with FreeBSD's defaults (SHMMAXPGS = 131072 pages). Not thread-safe: <see cref="ShmSubsystem"/>'s lock
/// protects every read and write.
/// </summary>
internal sealed class ShmLimits
{
    /// <summary>FreeBSD's SHMMAXPGS: the default of shmall, and shmmax / PAGE_SIZE.</summary>
    public const long DefaultMaxPages = 131072;

    /// <summary>The largest shmmni: an id holds the slot index in 16 bits.</summary>
    public const long MaxIds = 0x10000;

    /// <summary>kern.ipc.shmmax: the largest segment, in bytes.</summary>
    public long ShmMax { get; set; } = DefaultMaxPages * (long)IpcConstants.PAGE_SIZE;

    /// <summary>kern.ipc.shmmin: the smallest segment, in bytes.</summary>
    public long ShmMin { get; set; } = 1;

    /// <summary>kern.ipc.shmmni: how many segments may exist.</summary>
    public long ShmMni { get; set; } = 192;

    /// <summary>kern.ipc.shmseg: how many attachments one process may hold.</summary>
    public long ShmSeg { get; set; } = 128;

    /// <summary>kern.ipc.shmall: how many pages all segments together may use.</summary>
    public long ShmAll { get; set; } = DefaultMaxPages;

    /// <summary>kern.ipc.shm_allow_removed: removed but still attached segments can be found by id (FreeBSD 11+ default 1).</summary>
    public long AllowRemoved { get; set; } = 1;

    /// <summary>kern.ipc.shm_use_phys: wire segments in memory (no effect in the model; kept for sysctl).</summary>
    public long UsePhys { get; set; }

    /// <summary>The tunables as sysctl descriptions: name, description, getter, validated setter.</summary>
    public static IReadOnlyList<ShmTunable> All { get; } =
    [
        new("shmmax", "Maximum shared memory segment size", l => l.ShmMax, (l, v) => l.ShmMax = v, 0, long.MaxValue),
        new("shmmin", "Minimum shared memory segment size", l => l.ShmMin, (l, v) => l.ShmMin = v, 0, long.MaxValue),
        new("shmmni", "Number of shared memory identifiers", l => l.ShmMni, (l, v) => l.ShmMni = v, 1, MaxIds),
        new("shmseg", "Number of segments per process", l => l.ShmSeg, (l, v) => l.ShmSeg = v, 1, MaxIds),
        new("shmall", "Maximum number of pages available for shared memory", l => l.ShmAll, (l, v) => l.ShmAll = v, 0, long.MaxValue / (long)IpcConstants.PAGE_SIZE),
        new("shm_use_phys", "Enable/Disable locking of shared memory pages in core", l => l.UsePhys, (l, v) => l.UsePhys = v, 0, 1),
        new("shm_allow_removed", "Enable/Disable attachment to attached segments marked for removal", l => l.AllowRemoved, (l, v) => l.AllowRemoved = v, 0, 1),
    ];

    /// <summary>
    /// Applies the loader tunables FreeBSD's <c>shminit</c> reads (<c>kern.ipc.shmmaxpgs</c> sets shmall and
    /// shmmax, then <c>shmmin</c>, <c>shmmni</c>, <c>shmseg</c>, <c>shm_use_phys</c>, <c>shm_allow_removed</c>).
    /// A value that does not parse or is out of range is logged and ignored, as the loader ignores it.
    /// </summary>
    public void ApplyKenv(TunableReader kenv, ILogger log)
    {
        if (Parse(kenv, "kern.ipc.shmmaxpgs", log) is { } pages)
        {
            if (pages is >= 0 and <= long.MaxValue / (long)IpcConstants.PAGE_SIZE)
            {
                ShmAll = pages;
                ShmMax = pages * (long)IpcConstants.PAGE_SIZE;
            }
            else
            {
                log.LogWarning("kern.ipc.shmmaxpgs={Value} is out of range; keeping {Default}", pages, ShmAll);
            }
        }
        foreach (var t in All.Where(t => t.Name != "shmmax" && t.Name != "shmall"))
        {
            if (Parse(kenv, "kern.ipc." + t.Name, log) is { } v && t.Set(this, v) != Errno.OK)
                log.LogWarning("kern.ipc.{Name}={Value} is out of range; keeping {Default}", t.Name, v, t.Get(this));
        }
    }

    private static long? Parse(TunableReader kenv, string name, ILogger log)
    {
        if (kenv.Get(name) is not { } text)
            return null;
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v))
            return v;
        log.LogWarning("{Name}={Value} is not a number; ignored", name, text);
        return null;
    }
}

/// <summary>One tunable: its <c>kern.ipc</c> name, description, and accepted range.</summary>
internal sealed record ShmTunable(string Name, string Description, Func<ShmLimits, long> Get, Action<ShmLimits, long> Store, long Min, long Max)
{
    /// <summary>Stores <paramref name="value"/> when it is in range; EINVAL (and no change) otherwise.</summary>
    public Errno Set(ShmLimits limits, long value)
    {
        if (value < Min || value > Max)
            return Errno.EINVAL;
        Store(limits, value);
        return Errno.OK;
    }
}
