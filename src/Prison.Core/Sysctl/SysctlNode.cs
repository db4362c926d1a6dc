using System.Globalization;
using Prison.Core.Procs;

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

/// <summary>An integer node backed by a getter and an optional validated setter.</summary>
public sealed class SysctlInt : SysctlNode
{
    private readonly Func<Ucred, long> _get;
    private readonly Func<long, Errno>? _set;

    /// <summary>Creates the node; <paramref name="set"/> null makes it read-only.</summary>
    public SysctlInt(string name, string description, Func<Ucred, long> get, Func<long, Errno>? set = null, SysctlAccess access = SysctlAccess.Writable)
        : base(name, description, set is null ? SysctlAccess.ReadOnly : access)
    {
        _get = get;
        _set = set;
    }

    /// <inheritdoc />
    public override SysctlType Type => SysctlType.Int;

    /// <inheritdoc />
    public override SysResult<object> Read(Ucred caller) => SysResult<object>.Success(_get(caller));

    /// <inheritdoc />
    public override Errno Write(Ucred caller, string value)
    {
        if (_set is null)
            return Errno.EPERM;
        return long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) ? _set(v) : Errno.EINVAL;
    }
}

/// <summary>A string node.</summary>
public sealed class SysctlString : SysctlNode
{
    private readonly Func<Ucred, string> _get;
    private readonly Func<Ucred, string, Errno>? _set;

    /// <summary>Creates the node; <paramref name="set"/> null makes it read-only.</summary>
    public SysctlString(string name, string description, Func<Ucred, string> get, Func<string, Errno>? set = null, SysctlAccess access = SysctlAccess.Writable)
        : base(name, description, set is null ? SysctlAccess.ReadOnly : access)
    {
        _get = get;
        _set = set is null ? null : (_, value) => set(value);
    }

    /// <summary>
    /// Creates a node whose write depends on the writer (<c>kern.hostname</c> sets the writer's jail's);
    /// <paramref name="set"/> gets the caller's credential and returns the errno of the write.
    /// </summary>
    public SysctlString(string name, string description, Func<Ucred, string> get, Func<Ucred, string, Errno> set, SysctlAccess access)
        : base(name, description, access)
    {
        _get = get;
        _set = set;
    }

    /// <inheritdoc />
    public override SysctlType Type => SysctlType.String;

    /// <inheritdoc />
    public override SysResult<object> Read(Ucred caller) => SysResult<object>.Success(_get(caller));

    /// <inheritdoc />
    public override Errno Write(Ucred caller, string value) => _set?.Invoke(caller, value) ?? Errno.EPERM;
}

/// <summary>A read-only list of records, computed per caller (the object lists userland tools read).</summary>
/// <typeparam name="T">The record type.</typeparam>
public sealed class SysctlOpaque<T> : SysctlNode
{
    private readonly Func<Ucred, IReadOnlyList<T>> _get;

    /// <summary>Creates the node.</summary>
    public SysctlOpaque(string name, string description, Func<Ucred, IReadOnlyList<T>> get)
        : base(name, description, SysctlAccess.ReadOnly) => _get = get;

    /// <inheritdoc />
    public override SysctlType Type => SysctlType.Opaque;

    /// <inheritdoc />
    public override SysResult<object> Read(Ucred caller) => SysResult<object>.Success(_get(caller));
}
