using Prison.Core.Sysctl;

namespace Prison.Core.Syscalls;

/// <summary>
/// What sysctl(3) reports about one name (the <c>sysctl.name2oid</c>, <c>sysctl.oidfmt</c> and
/// <c>sysctl.oiddescr</c> queries sysctl(8) makes): a copy, with no way to read or write through it.
/// </summary>
/// <param name="Name">The dotted name.</param>
/// <param name="Description">What <c>sysctl -d</c> prints.</param>
/// <param name="Type">The value kind.</param>
/// <param name="Access">Who may write it.</param>
public sealed record SysctlOid(string Name, string Description, SysctlType Type, SysctlAccess Access);
