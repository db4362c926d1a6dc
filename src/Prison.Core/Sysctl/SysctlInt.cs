using System.Globalization;
using Prison.Core.Procs;

namespace Prison.Core.Sysctl;

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
