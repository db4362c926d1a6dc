using Prison.Core.Procs;

namespace Prison.Core.Sysctl;

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
