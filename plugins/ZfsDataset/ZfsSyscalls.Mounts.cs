using Prison.Core;
using Prison.Core.Procs;

namespace Prison.Plugins.ZfsDataset;

internal sealed partial class ZfsSyscalls
{
    /// <inheritdoc />
    /// <remarks>
    /// libzfs opens the dataset first (ENOENT when the caller cannot see it), refuses <c>none</c> and
    /// <c>legacy</c> mountpoints, and from the host refuses a jailed dataset (a jail may have set its
    /// mountpoint); then the VFS applies the jail rules and calls <see cref="CheckMount"/>.
    /// </remarks>
    public SysResult<int> Mount(Proc caller, string dataset)
    {
        var what = $"cannot mount '{dataset}'";
        var valid = DatasetName.CheckAny("mount", dataset);
        if (!valid.Ok)
            return valid;
        string mountPoint;
        lock (_lock)
        {
            var ds = FindVisible(caller.Cred, dataset);
            if (ds is null)
                return Fail($"{what}: dataset does not exist", Errno.ENOENT);
            if (ds.IsSnapshot)
                return Fail($"{what}: snapshots are not mounted in this model", Errno.EINVAL);
            mountPoint = _store.MountPoint(ds);
            if (mountPoint == "none")
                return Fail($"{what}: no mountpoint set", Errno.EINVAL);
            if (mountPoint == "legacy")
                return Fail($"{what}: legacy mountpoint, use mount(8)", Errno.EINVAL);
            if (!caller.Cred.IsJailed && _store.IsJailed(ds))
                return Fail($"{what}: dataset is jailed (mount it from its jail)", Errno.EPERM);
            if (IsMounted(dataset))
                return Fail($"{what}: filesystem already mounted", Errno.EBUSY);
        }
        var mounted = FileSystem.Mount(caller, dataset, mountPoint);
        return mounted.Ok ? SysResult<int>.Success(0) : Fail($"{what}: {mounted.ErrorText}", mounted.Error);
    }

    /// <inheritdoc />
    public SysResult<int> Unmount(Proc caller, string dataset)
    {
        var what = $"cannot unmount '{dataset}'";
        var valid = DatasetName.CheckAny("unmount", dataset);
        if (!valid.Ok)
            return valid;
        lock (_lock)
        {
            if (FindVisible(caller.Cred, dataset) is null)
                return Fail($"{what}: dataset does not exist", Errno.ENOENT);
        }
        var entry = FileSystem.Mounts.FirstOrDefault(m => m.Source == dataset);
        if (entry is null)
            return Fail($"{what}: not currently mounted", Errno.EINVAL);
        var unmounted = FileSystem.Unmount(caller, entry.MountPoint);
        return unmounted.Ok ? SysResult<int>.Success(0) : Fail($"{what}: {unmounted.ErrorText}", unmounted.Error);
    }

    /// <inheritdoc />
    /// <remarks>
    /// The model writes straight into the dataset (file permissions and the mount are not modelled); from
    /// a jail the dataset must be writable there. A quota on the dataset or on any ancestor that the
    /// write would exceed refuses it with EDQUOT, and nothing is written.
    /// </remarks>
    public SysResult<long> Write(Proc caller, string dataset, string path, long bytes)
    {
        if (bytes < 0 || string.IsNullOrEmpty(path))
            return SysResult<long>.Fail(Errno.EINVAL, "write: bad size or path");
        lock (_lock)
        {
            var ds = WritableFileSystem(caller.Cred, dataset, "write");
            if (!ds.Ok)
                return Fail<long>(ds.Error, ds.Message);
            for (var d = ds.Value; d is not null; d = DatasetName.Parent(d.Name) is { } p ? _store.Find(p) : null)
            {
                if (d.Local.TryGetValue(ZfsProps.Quota, out var q) && _store.Used(d) + bytes > long.Parse(q, System.Globalization.CultureInfo.InvariantCulture))
                    return SysResult<long>.Fail(Errno.EDQUOT, $"write {dataset}:{path}: Disc quota exceeded (quota of '{d.Name}' is {q} bytes)");
            }
            ds.Value.Files[path] = ds.Value.Files.GetValueOrDefault(path) + bytes;
            return SysResult<long>.Success(ds.Value.Referenced);
        }
    }

    /// <inheritdoc />
    public SysResult<long> RemoveFile(Proc caller, string dataset, string path)
    {
        lock (_lock)
        {
            var ds = WritableFileSystem(caller.Cred, dataset, "remove");
            if (!ds.Ok)
                return Fail<long>(ds.Error, ds.Message);
            if (!ds.Value.Files.Remove(path))
                return SysResult<long>.Fail(Errno.ENOENT, $"remove {dataset}:{path}: No such file or directory");
            return SysResult<long>.Success(ds.Value.Referenced);
        }
    }

    /// <summary>A file system the caller may write files in. Call under <c>_lock</c>.</summary>
    private SysResult<Dataset> WritableFileSystem(Ucred cred, string dataset, string verb)
    {
        var ds = FindVisible(cred, dataset);
        if (ds is null)
            return SysResult<Dataset>.Fail(Errno.ENOENT, $"{verb} {dataset}: dataset does not exist");
        if (ds.IsSnapshot)
            return SysResult<Dataset>.Fail(Errno.EROFS, $"{verb} {dataset}: Read-only file system (a snapshot)");
        if (cred.IsJailed && See(cred, dataset) != Visibility.Writable)
            return SysResult<Dataset>.Fail(Errno.EPERM, $"{verb} {dataset}: permission denied (read-only in this jail)");
        return SysResult<Dataset>.Success(ds);
    }

    private static SysResult<T> Fail<T>(Errno error, string? message) => SysResult<T>.Fail(error, message);
}
