using Prison.Core.Jails;

namespace Prison.Core.Procs;

/// <summary>
/// A credential (FreeBSD's <c>struct ucred</c>): effective uid and gid, supplementary groups and the
/// jail. Immutable: changing an id or the jail replaces the process's credential.
/// </summary>
/// <param name="Uid">Effective user id.</param>
/// <param name="Gid">Effective group id.</param>
/// <param name="Groups">Supplementary groups.</param>
/// <param name="Jail">The jail the credential belongs to.</param>
public sealed record Ucred(uint Uid, uint Gid, IReadOnlyList<uint> Groups, Jail Jail)
{
    /// <summary>True for uid 0 (root in its own jail; privileges still depend on the jail).</summary>
    public bool IsRoot => Uid == 0;

    /// <summary>
    /// The real uid: the effective uid the credential was created with. seteuid(2) may always return
    /// the effective uid to it (so a root process that lowered its euid can become root again).
    /// </summary>
    public uint RealUid { get; init; } = Uid;

    /// <summary>True when the credential is inside a jail (not prison0).</summary>
    public bool IsJailed => !Jail.IsHost;

    /// <summary>True when <paramref name="gid"/> is the effective gid or a supplementary group.</summary>
    public bool IsGroupMember(uint gid) => Gid == gid || Groups.Contains(gid);

    /// <summary>Root of prison0.</summary>
    public static Ucred Root(Jail jail) => new(0, 0, [], jail);
}
