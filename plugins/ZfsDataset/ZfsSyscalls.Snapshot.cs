using System.Globalization;
using Prison.Core.Snapshots;

namespace Prison.Plugins.ZfsDataset;

/// <summary>
/// The <c>zfs</c> section of kernel snapshots: every dataset by name with its properties (and the
/// files of the model), the datasets attached to each jail by jid, and the zfs mounts by mount id.
/// </summary>
internal sealed partial class ZfsSyscalls : ISnapshotProvider
{
    /// <inheritdoc />
    string ISnapshotProvider.Name => "zfs";

    /// <inheritdoc />
    void ISnapshotProvider.Write(SnapshotWriter writer)
    {
        lock (_lock)
        {
            using (writer.Section("datasets"))
            {
                foreach (var ds in _store.All)
                {
                    // Every property as zfs get prints it; a value that is not the default names its source.
                    var properties = ZfsProps.All.Select(p =>
                    {
                        var (value, source) = Value(ds, p);
                        return source is "-" or "default" ? $"{p}={value}" : $"{p}={value} ({source})";
                    });
                    using var _ = writer.Section($"{ds.Name} {string.Join(' ', properties)}");
                    foreach (var (path, size) in ds.Files.OrderBy(f => f.Key, StringComparer.Ordinal))
                        writer.Line(string.Create(CultureInfo.InvariantCulture, $"file {path} {size}"));
                }
            }
            using (writer.Section("attached"))
            {
                foreach (var jail in _jails.List(_jails.Prison0, includeDying: true))
                {
                    if (Slot?.Get(jail) is { Names.Count: > 0 } attached)
                        writer.Line($"{jail.Id} {jail.Name}: {string.Join(' ', attached.Names)}{(attached.Dead ? " (dead)" : "")}");
                }
            }
        }
        using (writer.Section("mounts"))
        {
            // The mount table is read lock-free, outside the module lock (the VFS takes its lock before ours).
            foreach (var m in FileSystem.List().OrderBy(m => m.Id))
                writer.Line(string.Create(CultureInfo.InvariantCulture, $"{m.Id} {m.Source} on {m.MountPoint} jail={m.MountedBy.Id} uid={m.Owner}"));
        }
    }
}
