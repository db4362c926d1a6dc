using Prison.Core.Procs;
using Prison.Core.Vfs;

namespace Prison.Core.Syscalls;

// The mount table: mount, unmount, getfsstat, statfs (sys/kern/vfs_mount.c, vfs_syscalls.c).
public sealed partial class SyscallInterface
{
    /// <summary>
    /// mount(2) (nmount with <c>fstype</c>, <c>from</c> and <c>fspath</c>). EPERM without PRIV_VFS_MOUNT (a
    /// jail needs <c>allow.mount</c> and <c>allow.mount.TYPE</c>, and the type must be jail-friendly);
    /// ENODEV for an unknown type; EINVAL for a relative or bad path;
    /// ENAMETOOLONG past 1023 characters; EBUSY when something is mounted there; the file system's own
    /// errors. Nothing changes on failure.
    /// </summary>
    /// <returns>A copy of the new mount.</returns>
    public SysResult<Statfs> Mount(Proc td, string fsType, string source, string mountPoint)
    {
        var mounted = _kernel.Vfs.Mount(td, fsType, source, mountPoint);
        return mounted.Ok ? SysResult<Statfs>.Success(Copy(mounted.Value)) : SysResult<Statfs>.Fail(mounted.Error, mounted.Message);
    }

    /// <summary>
    /// unmount(2) of the file system on <paramref name="mountPoint"/>: EINVAL when nothing the caller may
    /// see is mounted there; EPERM without PRIV_VFS_UNMOUNT or when a jail's caller did not mount it.
    /// </summary>
    /// <returns>A copy of the mount that was removed.</returns>
    public SysResult<Statfs> Unmount(Proc td, string mountPoint)
    {
        var unmounted = _kernel.Vfs.Unmount(td, mountPoint);
        return unmounted.Ok ? SysResult<Statfs>.Success(Copy(unmounted.Value)) : SysResult<Statfs>.Fail(unmounted.Error, unmounted.Message);
    }

    /// <summary>getfsstat(2): copies of the mounts the caller's jail may see (<c>enforce_statfs</c>), in mount order.</summary>
    public IReadOnlyList<Statfs> GetFsStat(Proc td) => _kernel.Vfs.List(td).Select(Copy).ToArray();

    /// <summary>statfs(2) of a mount point: ENOENT when nothing the caller may see is mounted there.</summary>
    public SysResult<Statfs> StatFs(Proc td, string mountPoint)
    {
        var found = _kernel.Vfs.Statfs(td, mountPoint);
        return found.Ok ? SysResult<Statfs>.Success(Copy(found.Value)) : SysResult<Statfs>.Fail(found.Error, found.Message);
    }

    private static Statfs Copy(MountEntry m) => new(m.Id, m.FsType, m.Source, m.MountPoint, m.Owner);
}
