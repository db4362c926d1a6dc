namespace Prison.Core.Jails;

/// <summary>The life cycle of a jail (FreeBSD's PRISON_STATE_*).</summary>
public enum JailState
{
    /// <summary>Being created: holds its jid and name, invisible to lookups, services' create running.</summary>
    Creating,

    /// <summary>Alive: processes may attach.</summary>
    Alive,

    /// <summary>Removed (or without persist and processes); references remain, e.g. a descriptor or a segment.</summary>
    Dying,

    /// <summary>Freed: every service's destroy has run; the jid may be reused.</summary>
    Dead,
}
