namespace Prison.Core.Sysctl;

/// <summary>Who may write a node.</summary>
[Flags]
public enum SysctlAccess
{
    /// <summary>Read-only.</summary>
    ReadOnly = 0,
    /// <summary>Root of the host may write (CTLFLAG_RW).</summary>
    Writable = 1,
    /// <summary>Root of a jail may write too (CTLFLAG_PRISON).</summary>
    PrisonWritable = 2,
}
