using Prison.Core.Vfs;

namespace Prison.Core.Modules;

public sealed partial class ModuleContext
{
    /// <summary>
    /// Registers a file system type (FreeBSD's <c>VFS_SET</c>). A jail-friendly type
    /// (<see cref="VfsTypeFlags.Jail"/>) adds the jail parameter <c>allow.mount.NAME</c>. At unload the
    /// type is removed, with its parameter and anything of it still mounted.
    /// </summary>
    public void RegisterFileSystemType(VfsType type)
    {
        ArgumentNullException.ThrowIfNull(type);
        Kernel.Vfs.RegisterType(type, ModuleName);
        Record($"file system type {type.Name}", () => Kernel.Vfs.UnregisterType(type));
    }
}
