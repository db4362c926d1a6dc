using Prison.Core.Jails;

namespace Prison.Core.Vfs;

/// <summary>
/// One mounted file system (FreeBSD's <c>struct mount</c>, reduced to what the jail rules need):
/// its type, what is mounted, where, and the jail and user that mounted it. Immutable.
/// </summary>
/// <param name="Id">A number unique for the kernel's lifetime (FreeBSD's fsid, simplified).</param>
/// <param name="FsType">The file system type name.</param>
/// <param name="Source">What is mounted (<c>tank/pg1</c>).</param>
/// <param name="MountPoint">Where, an absolute path (<c>/tank/pg1</c>).</param>
/// <param name="MountedBy">The jail of the process that mounted it (FreeBSD's <c>mnt_cred-&gt;cr_prison</c>).
/// Not a reference count: the jail may die and be freed while the entry exists.</param>
/// <param name="Owner">The uid that mounted it.</param>
public sealed record MountEntry(long Id, string FsType, string Source, string MountPoint, Jail MountedBy, uint Owner)
{
    /// <inheritdoc />
    public override string ToString() => $"{Source} on {MountPoint} ({FsType}, jail {MountedBy.Id})";
}
