using Prison.Core.Procs;

namespace Prison.Core.Sysctl;

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
