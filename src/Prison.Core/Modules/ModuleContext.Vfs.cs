using Prison.Core.Vfs;

namespace Prison.Core.Modules;

public sealed partial class ModuleContext
{
    /// <summary>
    /// Registers a file system type (FreeBSD's <c>VFS_SET</c>). A jail-friendly type
    /// (<see cref="VfsTypeFlags.Jail"/>) adds the jail parameter <c>allow.mount.NAME</c>. At unload the
    /// type is removed, with its parameter and anything of it still mounted.
    /// </summary>
    /// <returns>The type's mounts and the mount calls the module makes for it (stale after unload).</returns>
    /// <exception cref="KernelErrorException">EINVAL for a bad name, EEXIST when the name is taken.</exception>
    public FileSystemMounts RegisterFileSystemType(VfsType type)
    {
        ArgumentNullException.ThrowIfNull(type);
        // The kernel keeps a copy whose mount check enters the module's entry-point counter, so unload
        // drains a check in flight before the module goes.
        var entries = _entries;
        var check = type.MountCheck;
        var registered = new VfsType
        {
            Name = type.Name,
            Flags = type.Flags,
            MountCheck = check is null ? null : (caller, source, mountPoint) =>
            {
                if (!entries.TryEnter())
                    return SysResult<int>.Fail(Errno.ENODEV, $"file system type {type.Name} is being unloaded");
                try
                {
                    return check(caller, source, mountPoint);
                }
                finally
                {
                    entries.Leave();
                }
            },
        };
        var vfs = _kernel.Vfs;
        vfs.RegisterType(registered, ModuleName);
        var mounts = new FileSystemMounts(vfs, type.Name);
        Record($"file system type {type.Name}", Stage.EntryPoint, () =>
        {
            mounts.MarkUnregistered();
            vfs.UnregisterType(registered);
        });
        return mounts;
    }
}
