using Prison.Core.Descriptors;
using Prison.Core.Jails;

namespace Prison.Core.Syscalls;

/// <summary>
/// One open descriptor as <c>kern.proc.filedesc</c> reports it (FreeBSD's <c>struct kinfo_file</c>, as
/// procstat -f prints it): a copy taken at the call.
/// </summary>
/// <param name="Fd">The descriptor number.</param>
/// <param name="Kind">The file type: <c>jail</c> for a jail descriptor, <c>tty</c> for a terminal.</param>
/// <param name="FileId">A number unique to the open file for the kernel's lifetime: two descriptors with the same id name the same file.</param>
/// <param name="JailDesc">For a jail descriptor, what it names and holds; null for any other file.</param>
public sealed record KinfoFile(int Fd, string Kind, long FileId, KinfoJailDesc? JailDesc);

/// <summary>A jail descriptor's part of <see cref="KinfoFile"/>.</summary>
/// <param name="Jid">The jail's id.</param>
/// <param name="Name">The jail's name relative to the caller's jail.</param>
/// <param name="State">The jail's state now (a descriptor keeps naming a removed jail).</param>
/// <param name="Rights">The descriptor's rights (cap_rights_limit narrows them).</param>
/// <param name="Owning">True for an owning descriptor: its last close removes the jail.</param>
public sealed record KinfoJailDesc(int Jid, string Name, JailState State, JailDescRights Rights, bool Owning);
