using Prison.Core.Procs;

namespace Prison.Core.Zfs;

/// <summary>
/// The ZFS syscalls (the <c>/dev/zfs</c> ioctls behind zfs(8) and zpool(8)), implemented by the
/// <c>zfs</c> module. Userland calls them through <see cref="Syscalls.SyscallInterface"/> (<c>kernel.Syscalls.ZfsCreate(td, ...)</c>), which returns ENOSYS when the module is
/// not loaded. Every call takes the calling process; failures carry zfs(8)-style messages
/// (<c>cannot create 'tank/x': parent does not exist</c>).
/// </summary>
/// <remarks>
/// Visibility from a jail (OpenZFS <c>zone_dataset_visible</c>): the datasets attached to the caller's
/// jail with <see cref="Jail"/>, their descendants and their snapshots are visible and writable; their
/// ancestors are visible read-only (EPERM on change); everything else does not exist (ENOENT).
/// The host sees and manages everything.
/// </remarks>
public interface IZfsSyscalls
{
    /// <summary><c>zpool create POOL</c>: a new pool whose root dataset is POOL (host root only).</summary>
    SysResult<int> PoolCreate(Proc caller, string pool);

    /// <summary><c>zpool list</c>: the pool names the caller can see (a jail sees pools holding a visible dataset).</summary>
    SysResult<IReadOnlyList<string>> PoolList(Proc caller);

    /// <summary><c>zfs create [-p] [-o prop=value]... NAME</c>.</summary>
    SysResult<int> Create(Proc caller, string name, bool parents = false, IReadOnlyList<KeyValuePair<string, string>>? properties = null);

    /// <summary><c>zfs destroy [-r] NAME</c> (a file system or a snapshot); mounted file systems are unmounted first.</summary>
    SysResult<int> Destroy(Proc caller, string name, bool recursive = false);

    /// <summary>
    /// <c>zfs list [-r] [-t all] [-o props] [NAME]</c>: without NAME every visible dataset; with NAME that
    /// dataset, and its descendants with <paramref name="recursive"/>. Snapshots are listed only with
    /// <paramref name="includeSnapshots"/> (or when NAME is one). Default columns: name, used,
    /// referenced, mountpoint.
    /// </summary>
    SysResult<IReadOnlyList<ZfsListRow>> List(Proc caller, string? name = null, bool recursive = false,
        IReadOnlyList<string>? properties = null, bool includeSnapshots = false);

    /// <summary><c>zfs get PROP[,PROP...]|all NAME</c>.</summary>
    SysResult<IReadOnlyList<ZfsProperty>> Get(Proc caller, string name, IReadOnlyList<string> properties);

    /// <summary><c>zfs set PROP=VALUE NAME</c>: <c>jailed</c> (host only), <c>mountpoint</c>, <c>quota</c>.</summary>
    SysResult<int> Set(Proc caller, string name, string property, string value);

    /// <summary><c>zfs snapshot NAME@SNAP</c>.</summary>
    SysResult<int> Snapshot(Proc caller, string snapshotName);

    /// <summary><c>zfs rename FROM TO</c> (descendants and snapshots follow; a snapshot renames within its dataset).</summary>
    SysResult<int> Rename(Proc caller, string from, string to);

    /// <summary><c>zfs jail JAIL DATASET</c>: host root only; the dataset needs <c>jailed=on</c>.</summary>
    SysResult<int> Jail(Proc caller, string jail, string dataset);

    /// <summary><c>zfs unjail JAIL DATASET</c>: host root only.</summary>
    SysResult<int> Unjail(Proc caller, string jail, string dataset);

    /// <summary>The datasets attached to a jail, in attach order (host only; ENOENT for an unknown jail).</summary>
    SysResult<IReadOnlyList<string>> Attached(Proc caller, string jail);

    /// <summary><c>zfs mount DATASET</c>: mounts it on its <c>mountpoint</c> through the VFS rules.</summary>
    SysResult<int> Mount(Proc caller, string dataset);

    /// <summary><c>zfs unmount DATASET</c>.</summary>
    SysResult<int> Unmount(Proc caller, string dataset);

    /// <summary>
    /// The model's file write: appends <paramref name="bytes"/> bytes to file <paramref name="path"/> of a
    /// file system (creating it), charging <c>used</c>; EDQUOT when a quota on the dataset or an ancestor
    /// would be exceeded. Returns the dataset's new <c>referenced</c>.
    /// </summary>
    SysResult<long> Write(Proc caller, string dataset, string path, long bytes);

    /// <summary>Removes a file written with <see cref="Write"/>, releasing its bytes.</summary>
    SysResult<long> RemoveFile(Proc caller, string dataset, string path);
}
