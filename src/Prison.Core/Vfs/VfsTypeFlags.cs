namespace Prison.Core.Vfs;

/// <summary>Flags of a file system type (FreeBSD's <c>VFCF_*</c> in <c>sys/mount.h</c>).</summary>
[Flags]
public enum VfsTypeFlags
{
    /// <summary>No flag: the type can be mounted from the host only.</summary>
    None = 0,

    /// <summary>
    /// <c>VFCF_JAIL</c> (the jail services proposal): the type is jail-friendly. Root in a jail may mount it when the jail
    /// has <c>allow.mount</c>, <c>allow.mount.NAME</c> and <c>enforce_statfs &lt; 2</c>. Registering such
    /// a type adds the jail parameter <c>allow.mount.NAME</c>.
    /// </summary>
    Jail = 0x1,
}
