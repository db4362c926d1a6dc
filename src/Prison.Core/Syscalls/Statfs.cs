namespace Prison.Core.Syscalls;

/// <summary>
/// One mounted file system as statfs(2) and getfsstat(2) report it (FreeBSD's <c>struct statfs</c>,
/// reduced to the fields Prison keeps): a copy, naming no kernel object.
/// </summary>
/// <param name="Id">The file system id, unique for the kernel's lifetime (<c>f_fsid</c>).</param>
/// <param name="FsType">The file system type name (<c>f_fstypename</c>).</param>
/// <param name="Source">What is mounted (<c>f_mntfromname</c>, e.g. <c>tank/pg1</c>).</param>
/// <param name="MountPoint">Where, an absolute path (<c>f_mntonname</c>).</param>
/// <param name="Owner">The uid that mounted it (<c>f_owner</c>).</param>
public sealed record Statfs(long Id, string FsType, string Source, string MountPoint, uint Owner);
