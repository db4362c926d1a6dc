using System.Globalization;
using Prison.Core.Ipc.Sysv;
using Prison.Core.Snapshots;

namespace Prison.Plugins.SysvMsg;

/// <summary>
/// The <c>sysvmsg</c> section of kernel snapshots: the system-wide usage, every queue by id with its
/// messages in queue order, then each jail's namespace mode.
/// </summary>
internal sealed partial class MsgQueues : ISnapshotProvider
{
    /// <inheritdoc />
    string ISnapshotProvider.Name => "sysvmsg";

    /// <inheritdoc />
    void ISnapshotProvider.Write(SnapshotWriter writer)
    {
        lock (_lock)
        {
            writer.Line(string.Create(CultureInfo.InvariantCulture, $"usage segments={Usage().Segments} headers={Usage().Headers}"));
            using (writer.Section("queues"))
            {
                foreach (var (id, q) in _queues.Live().OrderBy(x => x.Id))
                {
                    using var queueLock = q.Gate.EnterScope();
                    var p = q.Perm;
                    using var _ = writer.Section(string.Create(CultureInfo.InvariantCulture,
                        $"{id} key={p.Key} jail={q.Creator.Id} mode=0{Convert.ToString(p.Mode, 8)} " +
                        $"uid={p.Uid} gid={p.Gid} cuid={p.Cuid} cgid={p.Cgid} " +
                        $"qnum={q.Messages.Count} cbytes={q.Cbytes} qbytes={q.Qbytes} lspid={q.Lspid} lrpid={q.Lrpid} " +
                        $"ctime={writer.Time(q.Ctime)} stime={writer.Time(q.Stime)} rtime={writer.Time(q.Rtime)}"));
                    var n = 0;
                    foreach (var m in q.Messages)
                    {
                        writer.Line(string.Create(CultureInfo.InvariantCulture,
                            $"msg {n++} type={m.Type} length={m.Size} digest={SnapshotWriter.Digest(m.Body)}"));
                    }
                }
            }
        }
        Namespaces.WriteModes(writer);
    }
}
