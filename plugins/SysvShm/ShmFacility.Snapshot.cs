using System.Globalization;
using Prison.Core.Ipc.Sysv;
using Prison.Core.Snapshots;

namespace Prison.Plugins.SysvShm;

/// <summary>The <c>sysvshm</c> section of kernel snapshots: every segment by id, then each jail's namespace mode.</summary>
internal sealed partial class ShmFacility : ISnapshotProvider
{
    /// <inheritdoc />
    string ISnapshotProvider.Name => "sysvshm";

    /// <inheritdoc />
    void ISnapshotProvider.Write(SnapshotWriter writer)
    {
        lock (_lock)
        {
            using (writer.Section("segments"))
            {
                // The real key and creator, as the host's root sees them; removed segments show IPC_PRIVATE.
                // ctime comes first so that, on a clock that only moves forward, tokens number in time order.
                foreach (var (id, seg) in _segments.Live().OrderBy(x => x.Id))
                {
                    using var segmentLock = seg.Gate.EnterScope();
                    using var dataLock = seg.DataGate.EnterScope();
                    writer.Line(string.Create(CultureInfo.InvariantCulture,
                        $"{id} key={seg.Key} jail={seg.Creator.Id} size={seg.Size} mode=0{Convert.ToString(seg.Mode, 8)} " +
                        $"uid={seg.Uid} gid={seg.Gid} cuid={seg.Cuid} cgid={seg.Cgid} nattch={seg.Nattch} " +
                        $"removed={(seg.Removed ? "yes" : "no")} cpid={seg.Cpid} lpid={seg.Lpid} " +
                        $"ctime={writer.Time(seg.Ctime)} atime={writer.Time(seg.Atime)} dtime={writer.Time(seg.Dtime)} " +
                        $"digest={SnapshotWriter.Digest(seg.Data)}"));
                }
            }
        }
        Namespaces.WriteModes(writer);
    }
}
