using Prison.Core.Jails;
using Prison.Core.Procs;
using Prison.Core.Vfs;

namespace Prison.Core.Modules;

/// <summary>
/// The mounts of one file system type a module registered (<see cref="ModuleContext.RegisterFileSystemType"/>),
/// and the mount calls the module makes for it: mount(2) and unmount(2) on behalf of a caller, with every
/// check of <see cref="VirtualFileSystem"/>, and the kernel's forced unmount. Only mounts of this type
/// are listed or touched.
/// </summary>
/// <remarks>
/// Once the module unloads (its type is unregistered) the handle is stale: <see cref="Mount"/> and
/// <see cref="Unmount"/> fail with ENODEV and the lists are empty, so a leftover handle can never act on a
/// type a later module registered under the same name. Locking as <see cref="VirtualFileSystem"/>: do not
/// call it from the type's own <see cref="VfsType.MountCheck"/>, which runs under the mount table lock.
/// </remarks>
public sealed class FileSystemMounts
{
    private readonly VirtualFileSystem _vfs;
    private volatile bool _registered = true;

    internal FileSystemMounts(VirtualFileSystem vfs, string fsType)
    {
        _vfs = vfs;
        FsType = fsType;
    }

    /// <summary>The file system type's name (<c>zfs</c>).</summary>
    public string FsType { get; }

    /// <summary>
    /// The mounts of the type, in mount order, read lock-free from the published mount table: safe under
    /// the module's own locks, including from the type's <see cref="VfsType.MountCheck"/>. A mount whose
    /// check is running is not listed yet. Empty once the module unloaded.
    /// </summary>
    public IReadOnlyList<MountEntry> Mounts => _registered ? [.. _vfs.Mounts.Where(m => m.FsType == FsType)] : [];

    /// <summary>
    /// The mounts of the type, in mount order, read under the mount table lock: a mount in progress is
    /// either complete and listed or has not passed the type's check yet. A file system that marked an
    /// object busy (so its check refuses it) calls this to learn whether the object is still mounted.
    /// Takes the table lock, so never call it under a lock the type's check takes. Empty once the module
    /// unloaded.
    /// </summary>
    public IReadOnlyList<MountEntry> List() => _registered ? _vfs.MountsOf(FsType) : [];

    /// <summary>The mounts of the type that <paramref name="jail"/> itself made, as <see cref="List"/> reads them.</summary>
    public IReadOnlyList<MountEntry> MountedBy(Jail jail)
    {
        ArgumentNullException.ThrowIfNull(jail);
        return [.. List().Where(m => ReferenceEquals(m.MountedBy, jail))];
    }

    /// <summary>
    /// mount(2) of <paramref name="source"/> with this type on <paramref name="mountPoint"/> for
    /// <paramref name="caller"/>, with every check and errno of <see cref="VirtualFileSystem.Mount"/>
    /// (EPERM, ENODEV, EBUSY, EINVAL, ENAMETOOLONG, the type's own check). ENODEV once the module unloaded.
    /// </summary>
    public SysResult<MountEntry> Mount(Proc caller, string source, string mountPoint) =>
        _registered ? _vfs.Mount(caller, FsType, source, mountPoint) : Stale<MountEntry>();

    /// <summary>
    /// unmount(2) of the mount of this type on <paramref name="mountPoint"/> for <paramref name="caller"/>,
    /// with the checks and errnos of <see cref="VirtualFileSystem.Unmount(Proc, string)"/>; EINVAL also when what is
    /// mounted there is of another type. ENODEV once the module unloaded.
    /// </summary>
    public SysResult<MountEntry> Unmount(Proc caller, string mountPoint) =>
        _registered ? _vfs.Unmount(caller, mountPoint, FsType) : Stale<MountEntry>();

    /// <summary>
    /// Unmounts <paramref name="entry"/> on the kernel's behalf, with no privilege check (the file system
    /// destroying the object under it, the module cleaning up after a jail). False when it is no longer
    /// mounted or is not a mount of this type.
    /// </summary>
    public bool ForceUnmount(MountEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return _registered && entry.FsType == FsType && _vfs.ForceUnmount(entry);
    }

    /// <summary>Called when the type is unregistered (the module's undo).</summary>
    internal void MarkUnregistered() => _registered = false;

    private SysResult<T> Stale<T>() => SysResult<T>.Fail(Errno.ENODEV, $"file system type {FsType} is not registered");
}
