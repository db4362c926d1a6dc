using Prison.Core.Procs;

namespace Prison.Core.Zfs;

/// <summary>
/// The ZFS entry points as userland calls them: each goes through the syscall table and returns ENOSYS
/// ("the zfs module is not loaded") when no module implements <see cref="IZfsSyscalls"/>.
/// </summary>
public static class ZfsCalls
{
    private const string NotLoaded = "the zfs module is not loaded";

    /// <summary><c>zpool create</c>.</summary>
    public static SysResult<int> ZpoolCreate(this Kernel k, Proc p, string pool) =>
        Call(k, z => z.PoolCreate(p, pool));

    /// <summary><c>zpool list</c>.</summary>
    public static SysResult<IReadOnlyList<string>> ZpoolList(this Kernel k, Proc p) =>
        Call(k, z => z.PoolList(p));

    /// <summary><c>zfs create</c>.</summary>
    public static SysResult<int> ZfsCreate(this Kernel k, Proc p, string name, bool parents = false, IReadOnlyList<KeyValuePair<string, string>>? properties = null) =>
        Call(k, z => z.Create(p, name, parents, properties));

    /// <summary><c>zfs destroy</c>.</summary>
    public static SysResult<int> ZfsDestroy(this Kernel k, Proc p, string name, bool recursive = false) =>
        Call(k, z => z.Destroy(p, name, recursive));

    /// <summary><c>zfs list</c>.</summary>
    public static SysResult<IReadOnlyList<ZfsListRow>> ZfsList(this Kernel k, Proc p, string? name = null, bool recursive = false,
        IReadOnlyList<string>? properties = null, bool includeSnapshots = false) =>
        Call(k, z => z.List(p, name, recursive, properties, includeSnapshots));

    /// <summary><c>zfs get</c>.</summary>
    public static SysResult<IReadOnlyList<ZfsProperty>> ZfsGet(this Kernel k, Proc p, string name, params string[] properties) =>
        Call(k, z => z.Get(p, name, properties));

    /// <summary><c>zfs set</c>.</summary>
    public static SysResult<int> ZfsSet(this Kernel k, Proc p, string name, string property, string value) =>
        Call(k, z => z.Set(p, name, property, value));

    /// <summary><c>zfs snapshot</c>.</summary>
    public static SysResult<int> ZfsSnapshot(this Kernel k, Proc p, string snapshotName) =>
        Call(k, z => z.Snapshot(p, snapshotName));

    /// <summary><c>zfs rename</c>.</summary>
    public static SysResult<int> ZfsRename(this Kernel k, Proc p, string from, string to) =>
        Call(k, z => z.Rename(p, from, to));

    /// <summary><c>zfs jail</c>.</summary>
    public static SysResult<int> ZfsJail(this Kernel k, Proc p, string jail, string dataset) =>
        Call(k, z => z.Jail(p, jail, dataset));

    /// <summary><c>zfs unjail</c>.</summary>
    public static SysResult<int> ZfsUnjail(this Kernel k, Proc p, string jail, string dataset) =>
        Call(k, z => z.Unjail(p, jail, dataset));

    /// <summary>The datasets attached to a jail.</summary>
    public static SysResult<IReadOnlyList<string>> ZfsAttached(this Kernel k, Proc p, string jail) =>
        Call(k, z => z.Attached(p, jail));

    /// <summary><c>zfs mount</c>.</summary>
    public static SysResult<int> ZfsMount(this Kernel k, Proc p, string dataset) =>
        Call(k, z => z.Mount(p, dataset));

    /// <summary><c>zfs unmount</c>.</summary>
    public static SysResult<int> ZfsUnmount(this Kernel k, Proc p, string dataset) =>
        Call(k, z => z.Unmount(p, dataset));

    /// <summary>The model's file write into a dataset.</summary>
    public static SysResult<long> ZfsWrite(this Kernel k, Proc p, string dataset, string path, long bytes) =>
        Call(k, z => z.Write(p, dataset, path, bytes));

    /// <summary>Removes a file from a dataset.</summary>
    public static SysResult<long> ZfsRemoveFile(this Kernel k, Proc p, string dataset, string path) =>
        Call(k, z => z.RemoveFile(p, dataset, path));

    private static SysResult<T> Call<T>(Kernel k, Func<IZfsSyscalls, SysResult<T>> call)
    {
        ArgumentNullException.ThrowIfNull(k);
        if (!k.Syscalls.Gate<IZfsSyscalls>().TryEnter(out var lease))
            return SysResult<T>.Fail(Errno.ENOSYS, NotLoaded);
        using (lease)
            return call(lease.Impl);
    }
}
