using Prison.Core;
using Prison.Core.Procs;

namespace Prison.Plugins.ZfsDataset;

internal sealed partial class ZfsSyscalls
{
    /// <inheritdoc />
    public SysResult<int> Create(Proc caller, string name, bool parents = false, IReadOnlyList<KeyValuePair<string, string>>? properties = null)
    {
        var cred = caller.Cred;
        var what = $"cannot create '{name}'";
        var valid = DatasetName.CheckFileSystem("create", name);
        if (!valid.Ok)
            return valid;
        var props = new List<KeyValuePair<string, string>>();
        foreach (var (prop, value) in properties ?? [])
        {
            var parsed = ZfsProps.Parse(name, prop, value);
            if (!parsed.Ok)
                return Fail(parsed.ErrorText, parsed.Error);
            props.Add(new(prop, parsed.Value));
        }
        lock (_lock)
        {
            if (FindVisible(cred, name) is not null)
                return Fail($"{what}: dataset already exists", Errno.EEXIST);
            var pool = DatasetName.Pool(name);
            if (FindVisible(cred, pool) is null)
                return Fail($"{what}: no such pool '{pool}'", Errno.ENOENT);
            // The nearest existing ancestor decides (with -p, the missing ones in between are created too).
            var missing = new List<string> { name };
            var parentName = DatasetName.Parent(name)!;
            var parent = FindVisible(cred, parentName);
            while (parent is null && parents)
            {
                missing.Insert(0, parentName);
                parentName = DatasetName.Parent(parentName)!;
                parent = FindVisible(cred, parentName);
            }
            if (parent is null)
                return Fail($"{what}: parent does not exist", Errno.ENOENT);
            var allowed = CheckWrite(cred, what, parent);
            if (!allowed.Ok)
                return allowed;
            if (cred.IsJailed && props.Any(p => p.Key == ZfsProps.Jailed))
                return Fail($"{what}: 'jailed' cannot be set from within a jail", Errno.EPERM);
            foreach (var m in missing)
                _store.Add(m, isSnapshot: false);
            var created = _store.Find(name)!;
            foreach (var (prop, value) in props)
            {
                if (prop == ZfsProps.Quota && value == "0")
                    continue;
                created.Local[prop] = value;
            }
        }
        return SysResult<int>.Success(0);
    }

    /// <inheritdoc />
    public SysResult<int> Snapshot(Proc caller, string snapshotName)
    {
        var cred = caller.Cred;
        var what = $"cannot create snapshot '{snapshotName}'";
        var valid = DatasetName.CheckSnapshot("create snapshot", snapshotName);
        if (!valid.Ok)
            return valid;
        lock (_lock)
        {
            var fs = FindVisible(cred, DatasetName.Parent(snapshotName)!);
            if (fs is null)
                return Fail($"{what}: dataset does not exist", Errno.ENOENT);
            var allowed = CheckWrite(cred, what, fs);
            if (!allowed.Ok)
                return allowed;
            if (_store.Exists(snapshotName))
                return Fail($"{what}: dataset already exists", Errno.EEXIST);
            _store.Add(snapshotName, isSnapshot: true, fs.Referenced);
        }
        return SysResult<int>.Success(0);
    }

    /// <inheritdoc />
    public SysResult<int> Destroy(Proc caller, string name, bool recursive = false)
    {
        var cred = caller.Cred;
        var what = $"cannot destroy '{name}'";
        var valid = DatasetName.CheckAny("destroy", name);
        if (!valid.Ok)
            return valid;
        Dataset[] victims;
        lock (_lock)
        {
            var ds = FindVisible(cred, name);
            if (ds is null)
                return Fail($"{what}: dataset does not exist", Errno.ENOENT);
            if (DatasetName.Parent(name) is null)
                return Fail($"{what}: operation does not apply to pools (use 'zpool destroy')", Errno.EINVAL);
            var allowed = CheckWrite(cred, what, ds);
            if (!allowed.Ok)
                return allowed;
            if (IsAttachedRoot(cred, name))
                return Fail($"{what}: permission denied (the dataset is delegated to this jail; it is destroyed from the host)", Errno.EPERM);
            var below = _store.Below(name);
            if (below.Length > 0 && !recursive)
            {
                var list = string.Join("\n", below.Select(d => d.Name).Order(StringComparer.Ordinal));
                return Fail($"{what}: filesystem has children\nuse '-r' to destroy the following datasets:\n{list}", Errno.EEXIST);
            }
            victims = [.. below, ds];
            if (victims.Any(v => v.Busy))
                return Fail($"{what}: dataset is busy", Errno.EBUSY);
            foreach (var v in victims)
                v.Busy = true;
        }
        // zfs destroy unmounts first. Busy keeps new mounts out while the VFS is called without our lock.
        var names = victims.Select(v => v.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var m in FileSystem.List().Where(m => names.Contains(m.Source)))
            FileSystem.ForceUnmount(m);
        lock (_lock)
        {
            foreach (var v in victims)
                _store.Remove(v.Name);
        }
        return SysResult<int>.Success(0);
    }

    /// <inheritdoc />
    /// <remarks>The model refuses to rename a mounted file system (EBUSY) where zfs would remount it.</remarks>
    public SysResult<int> Rename(Proc caller, string from, string to)
    {
        var cred = caller.Cred;
        var what = $"cannot rename '{from}'";
        var valid = DatasetName.CheckAny("rename", from);
        if (!valid.Ok)
            return valid;
        valid = DatasetName.CheckAny("rename to", to);
        if (!valid.Ok)
            return valid;
        var isSnapshot = from.Contains('@', StringComparison.Ordinal);
        if (isSnapshot != to.Contains('@', StringComparison.Ordinal))
            return Fail($"{what}: a snapshot can only be renamed to a snapshot, a file system to a file system", Errno.EINVAL);
        Dataset[] moving;
        lock (_lock)
        {
            var check = CheckRename(cred, what, from, to, isSnapshot);
            if (!check.Ok)
                return check;
            moving = [_store.Find(from)!, .. _store.Below(from)];
            if (moving.Any(d => d.Busy))
                return Fail($"{what}: dataset is busy", Errno.EBUSY);
            foreach (var d in moving)
                d.Busy = true;
        }
        var mounted = FileSystem.List().Any(m => DatasetName.IsSelfOrBelow(m.Source, from));
        lock (_lock)
        {
            foreach (var d in moving)
                d.Busy = false;
            if (mounted)
                return Fail($"{what}: dataset is busy (mounted; unmount it first)", Errno.EBUSY);
            // Checked again: the store may have changed while our lock was released.
            var check = CheckRename(cred, what, from, to, isSnapshot);
            if (!check.Ok)
                return check;
            _store.Rename(from, to);
        }
        return SysResult<int>.Success(0);
    }

    private SysResult<int> CheckRename(Ucred cred, string what, string from, string to, bool isSnapshot)
    {
        var ds = FindVisible(cred, from);
        if (ds is null)
            return Fail($"{what}: dataset does not exist", Errno.ENOENT);
        if (!isSnapshot && DatasetName.Parent(from) is null)
            return Fail($"{what}: a pool cannot be renamed with zfs rename", Errno.EINVAL);
        if (DatasetName.Pool(from) != DatasetName.Pool(to))
            return Fail($"{what}: datasets must be within same pool", Errno.EXDEV);
        if (isSnapshot && DatasetName.Parent(from) != DatasetName.Parent(to))
            return Fail($"{what}: snapshots must be part of same dataset", Errno.EINVAL);
        if (!isSnapshot && DatasetName.IsBelow(to, from))
            return Fail($"{what}: new dataset name cannot be a descendant of current dataset name", Errno.EINVAL);
        var allowed = CheckWrite(cred, what, ds);
        if (!allowed.Ok)
            return allowed;
        if (IsAttachedRoot(cred, from))
            return Fail($"{what}: permission denied (the dataset is delegated to this jail)", Errno.EPERM);
        var parent = FindVisible(cred, DatasetName.Parent(to)!);
        if (parent is null)
            return Fail($"{what}: parent of '{to}' does not exist", Errno.ENOENT);
        allowed = CheckWrite(cred, what, parent);
        if (!allowed.Ok)
            return allowed;
        if (FindVisible(cred, to) is not null)
            return Fail($"{what}: dataset '{to}' already exists", Errno.EEXIST);
        return SysResult<int>.Success(0);
    }
}
