using Prison.Core.Jails;
using Prison.Core.Rctl;

namespace Prison.Core.Modules;

/// <summary>
/// A module's access to resource accounting (FreeBSD's <c>racct_add</c>, <c>racct_sub</c> and
/// <c>racct_get_available</c>) for the resources it declared with <see cref="ModuleContext.RacctFor"/>:
/// charges and releases of those resources only. The rules themselves (rctl(8)) are not on offer.
/// </summary>
/// <remarks>
/// Lock-free unless a rule limits the resource (see <see cref="Racct"/>); a module may call it under its
/// own locks (the lock order is module → racct → jail). A resource the module did not declare is a bug in
/// the module and throws <see cref="ArgumentOutOfRangeException"/>.
/// </remarks>
public sealed class RacctHandle
{
    private readonly Racct _racct;
    private readonly int _declared;

    internal RacctHandle(Racct racct, IEnumerable<RacctResource> resources)
    {
        _racct = racct;
        foreach (var r in resources)
        {
            if ((uint)r >= RacctResources.Count)
                throw new ArgumentOutOfRangeException(nameof(resources), r, "not a racct resource");
            _declared |= 1 << (int)r;
        }
    }

    /// <summary>The resources this handle accounts, in FreeBSD's order.</summary>
    public IReadOnlyList<RacctResource> Resources => [.. RacctResources.All.Where(r => (_declared & (1 << (int)r)) != 0)];

    /// <summary>
    /// <c>racct_add</c>: charges <paramref name="amount"/> (units of the resource, never negative) to
    /// <paramref name="jail"/> and each ancestor. Returns <see cref="Errno.OK"/>, or the resource's errno
    /// (<see cref="RacctResources.DenyErrno"/>: ENOSPC, ENOMEM, EAGAIN, E2BIG) and charges nothing when a
    /// rule on any of them would be exceeded.
    /// </summary>
    public Errno Charge(Jail jail, RacctResource resource, long amount) => _racct.Charge(jail, Declared(resource), amount);

    /// <summary><c>racct_sub</c>: gives back what <see cref="Charge"/> took, from the same jail.</summary>
    public void Release(Jail jail, RacctResource resource, long amount) => _racct.Release(jail, Declared(resource), amount);

    /// <summary>
    /// <c>racct_get_available</c> as semop uses it: <see cref="Errno.OK"/> when <paramref name="amount"/>
    /// fits under every rule on <paramref name="jail"/> and its ancestors, else the resource's errno.
    /// Charges nothing.
    /// </summary>
    public Errno Check(Jail jail, RacctResource resource, long amount) => _racct.Check(jail, Declared(resource), amount);

    /// <summary>How much of <paramref name="resource"/> <paramref name="jail"/> and its descendants use.</summary>
    public long Usage(Jail jail, RacctResource resource) => _racct.Usage(jail, Declared(resource));

    private RacctResource Declared(RacctResource resource) =>
        (uint)resource < RacctResources.Count && (_declared & (1 << (int)resource)) != 0
            ? resource
            : throw new ArgumentOutOfRangeException(nameof(resource), resource, "the module did not declare this racct resource");
}
