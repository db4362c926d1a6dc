using Prison.Core.Procs;

namespace Prison.Core.Sysctl;

/// <summary>
/// A sysctl node. Reads and writes are per calling credential, so one name can answer differently in
/// each jail (<c>security.jail.jailid</c>, <c>kern.ipc.shmsegs</c>).
/// </summary>
public abstract class SysctlNode
{
    /// <summary>Creates a node.</summary>
    protected SysctlNode(string name, string description, SysctlAccess access)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
        Description = description;
        Access = access;
    }

    /// <summary>The dotted name.</summary>
    public string Name { get; }

    /// <summary>What <c>sysctl -d</c> prints.</summary>
    public string Description { get; }

    /// <summary>Who may write.</summary>
    public SysctlAccess Access { get; }

    /// <summary>The value kind.</summary>
    public abstract SysctlType Type { get; }

    /// <summary>Reads the value as the caller sees it.</summary>
    public abstract SysResult<object> Read(Ucred caller);

    /// <summary>Writes a value given as text; privilege has already been checked.</summary>
    /// <returns>EINVAL for a value that does not parse or is out of range; EPERM for a read-only node.</returns>
    public virtual Errno Write(Ucred caller, string value) => Errno.EPERM;
}
