using System.Globalization;
using Prison.Core.Ipc.Sysv;
using Prison.Core.Snapshots;

namespace Prison.Plugins.SysvSem;

/// <summary>
/// The <c>sysvsem</c> section of kernel snapshots: every set by id with its semaphores, the SEM_UNDO
/// entries by pid, then each jail's namespace mode.
/// </summary>
internal sealed partial class SysvSemaphores : ISnapshotProvider
{
    /// <inheritdoc />
    string ISnapshotProvider.Name => "sysvsem";

    /// <inheritdoc />
    void ISnapshotProvider.Write(SnapshotWriter writer)
    {
        lock (_gate)
        {
            using (writer.Section("sets"))
            {
                foreach (var (id, set) in _sets.Live().OrderBy(x => x.Id))
                {
                    using var setLock = set.Gate.EnterScope();
                    using var _ = writer.Section(string.Create(CultureInfo.InvariantCulture,
                        $"{id} key={set.Key} jail={set.Creator.Id} nsems={set.Sems.Length} mode=0{Convert.ToString(set.Mode, 8)} " +
                        $"uid={set.Uid} gid={set.Gid} cuid={set.Cuid} cgid={set.Cgid} " +
                        $"ctime={writer.Time(set.Ctime)} otime={writer.Time(set.Otime)}"));
                    for (var i = 0; i < set.Sems.Length; i++)
                    {
                        var sem = set.Sems[i];
                        writer.Line(string.Create(CultureInfo.InvariantCulture,
                            $"sem {i} value={sem.Value} pid={sem.Pid} ncnt={sem.Ncnt} zcnt={sem.Zcnt}"));
                    }
                }
            }
            using (writer.Section("undo"))
            using (_undoLock.EnterScope())
            {
                foreach (var (proc, entries) in _undo.All.OrderBy(x => x.Proc.Pid))
                {
                    // Entries by set id and semaphore, not in the order they were made, so the text
                    // depends only on the state.
                    foreach (var e in entries.OrderBy(e => e.Set.Id).ThenBy(e => e.Num))
                        writer.Line(string.Create(CultureInfo.InvariantCulture, $"pid {proc.Pid} set {e.Set.Id} sem {e.Num} adjust {e.Adjust}"));
                }
            }
        }
        _namespaces.WriteModes(writer);
    }
}
