using Prison.Core.Procs;
using Prison.Core.Zfs;

namespace Prison.Core.Syscalls;

// ZFS: the /dev/zfs ioctls behind zfs(8) and zpool(8). Each goes through the gate of IZfsSyscalls and
// returns ENOSYS ("the zfs module is not loaded") while no module implements it; the errors of each call
// are documented on IZfsSyscalls (OpenZFS zfs_ioctl.c).
public sealed partial class SyscallInterface
{
    private const string NotLoaded = "the zfs module is not loaded";

    /// <summary><c>zpool create</c>: the errors are those of <see cref="IZfsSyscalls.PoolCreate"/>, or ENOSYS without the module.</summary>
    public SysResult<int> ZpoolCreate(Proc td, string pool) =>
        CallZfs(z => z.PoolCreate(td, pool));

    /// <summary><c>zpool list</c>: the errors are those of <see cref="IZfsSyscalls.PoolList"/>, or ENOSYS without the module.</summary>
    public SysResult<IReadOnlyList<string>> ZpoolList(Proc td) =>
        CallZfs(z => z.PoolList(td));

    /// <summary><c>zfs create</c>: the errors are those of <see cref="IZfsSyscalls.Create"/>, or ENOSYS without the module.</summary>
    public SysResult<int> ZfsCreate(Proc td, string name, bool parents = false, IReadOnlyList<KeyValuePair<string, string>>? properties = null) =>
        CallZfs(z => z.Create(td, name, parents, properties));

    /// <summary><c>zfs destroy</c>: the errors are those of <see cref="IZfsSyscalls.Destroy"/>, or ENOSYS without the module.</summary>
    public SysResult<int> ZfsDestroy(Proc td, string name, bool recursive = false) =>
        CallZfs(z => z.Destroy(td, name, recursive));

    /// <summary><c>zfs list</c>: the errors are those of <see cref="IZfsSyscalls.List"/>, or ENOSYS without the module.</summary>
    public SysResult<IReadOnlyList<ZfsListRow>> ZfsList(Proc td, string? name = null, bool recursive = false,
        IReadOnlyList<string>? properties = null, bool includeSnapshots = false) =>
        CallZfs(z => z.List(td, name, recursive, properties, includeSnapshots));

    /// <summary><c>zfs get</c>: the errors are those of <see cref="IZfsSyscalls.Get"/>, or ENOSYS without the module.</summary>
    public SysResult<IReadOnlyList<ZfsProperty>> ZfsGet(Proc td, string name, params string[] properties) =>
        CallZfs(z => z.Get(td, name, properties));

    /// <summary><c>zfs set</c>: the errors are those of <see cref="IZfsSyscalls.Set"/>, or ENOSYS without the module.</summary>
    public SysResult<int> ZfsSet(Proc td, string name, string property, string value) =>
        CallZfs(z => z.Set(td, name, property, value));

    /// <summary><c>zfs snapshot</c>: the errors are those of <see cref="IZfsSyscalls.Snapshot"/>, or ENOSYS without the module.</summary>
    public SysResult<int> ZfsSnapshot(Proc td, string snapshotName) =>
        CallZfs(z => z.Snapshot(td, snapshotName));

    /// <summary><c>zfs rename</c>: the errors are those of <see cref="IZfsSyscalls.Rename"/>, or ENOSYS without the module.</summary>
    public SysResult<int> ZfsRename(Proc td, string from, string to) =>
        CallZfs(z => z.Rename(td, from, to));

    /// <summary><c>zfs jail</c>: the errors are those of <see cref="IZfsSyscalls.Jail"/>, or ENOSYS without the module.</summary>
    public SysResult<int> ZfsJail(Proc td, string jail, string dataset) =>
        CallZfs(z => z.Jail(td, jail, dataset));

    /// <summary><c>zfs unjail</c>: the errors are those of <see cref="IZfsSyscalls.Unjail"/>, or ENOSYS without the module.</summary>
    public SysResult<int> ZfsUnjail(Proc td, string jail, string dataset) =>
        CallZfs(z => z.Unjail(td, jail, dataset));

    /// <summary>The datasets attached to a jail: the errors are those of <see cref="IZfsSyscalls.Attached"/>, or ENOSYS without the module.</summary>
    public SysResult<IReadOnlyList<string>> ZfsAttached(Proc td, string jail) =>
        CallZfs(z => z.Attached(td, jail));

    /// <summary><c>zfs mount</c>: the errors are those of <see cref="IZfsSyscalls.Mount"/>, or ENOSYS without the module.</summary>
    public SysResult<int> ZfsMount(Proc td, string dataset) =>
        CallZfs(z => z.Mount(td, dataset));

    /// <summary><c>zfs unmount</c>: the errors are those of <see cref="IZfsSyscalls.Unmount"/>, or ENOSYS without the module.</summary>
    public SysResult<int> ZfsUnmount(Proc td, string dataset) =>
        CallZfs(z => z.Unmount(td, dataset));

    /// <summary>The model's file write into a dataset: the errors are those of <see cref="IZfsSyscalls.Write"/>, or ENOSYS without the module.</summary>
    public SysResult<long> ZfsWrite(Proc td, string dataset, string path, long bytes) =>
        CallZfs(z => z.Write(td, dataset, path, bytes));

    /// <summary>Removes a file from a dataset: the errors are those of <see cref="IZfsSyscalls.RemoveFile"/>, or ENOSYS without the module.</summary>
    public SysResult<long> ZfsRemoveFile(Proc td, string dataset, string path) =>
        CallZfs(z => z.RemoveFile(td, dataset, path));

    private SysResult<T> CallZfs<T>(Func<IZfsSyscalls, SysResult<T>> call)
    {
        if (!_kernel.Sysent.Gate<IZfsSyscalls>().TryEnter(out var lease))
            return SysResult<T>.Fail(Errno.ENOSYS, NotLoaded);
        using (lease)
            return call(lease.Impl);
    }
}
