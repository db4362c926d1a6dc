using Prison.Core.Procs;

namespace Prison.Core.Vfs;

/// <summary>
/// A file system's own check of a mount request (FreeBSD's <c>VFS_MOUNT</c>): runs after the VFS
/// rules passed, while the mount table is locked, and may refuse with any errno. It must not call back
/// into <see cref="VirtualFileSystem"/> (the table lock is held) and should be quick.
/// </summary>
/// <param name="caller">The credential of the process mounting.</param>
/// <param name="source">What is mounted (for zfs, the dataset name).</param>
/// <param name="mountPoint">Where it is mounted.</param>
/// <returns>Success, or the refusal with a mount(8)-style message.</returns>
public delegate SysResult<int> VfsMountCheck(Ucred caller, string source, string mountPoint);

/// <summary>
/// A file system type registered by a module (FreeBSD's <c>struct vfsconf</c>, registered with
/// <c>VFS_SET</c>): a name, flags such as <see cref="VfsTypeFlags.Jail"/>, and an optional check of
/// mount requests.
/// </summary>
public sealed class VfsType
{
    /// <summary>The largest type name (FreeBSD's MFSNAMELEN minus the terminating NUL).</summary>
    public const int MaxNameLength = 15;

    /// <summary>The type name used by mount(8) <c>-t</c> (<c>zfs</c>).</summary>
    public required string Name { get; init; }

    /// <summary>The type's flags.</summary>
    public VfsTypeFlags Flags { get; init; }

    /// <summary>The file system's own check of a mount request, or null to accept any source.</summary>
    public VfsMountCheck? MountCheck { get; init; }

    /// <summary>True for a jail-friendly type (<c>VFCF_JAIL</c>).</summary>
    public bool IsJailFriendly => (Flags & VfsTypeFlags.Jail) != 0;

    /// <summary>The jail parameter a jail-friendly type adds: <c>allow.mount.NAME</c>.</summary>
    public string AllowParameter => "allow.mount." + Name;

    /// <inheritdoc />
    public override string ToString() => IsJailFriendly ? $"{Name} (jail)" : Name;
}
