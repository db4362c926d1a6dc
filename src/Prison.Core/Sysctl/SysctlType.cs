namespace Prison.Core.Sysctl;

/// <summary>The value kind of a sysctl node (what sysctl(8) prints).</summary>
public enum SysctlType
{
    /// <summary>An integer.</summary>
    Int,
    /// <summary>A string.</summary>
    String,
    /// <summary>A structured list (FreeBSD's CTLTYPE_OPAQUE, e.g. <c>kern.ipc.shmsegs</c>).</summary>
    Opaque,
}
