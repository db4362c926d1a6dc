using Prison.Core.Jails;

namespace Prison.Core.Modules;

/// <summary>
/// The jail lookups a module may make (FreeBSD's <c>prison_find</c>, <c>prison_find_child</c> and the
/// allprison walk): read-only, and nothing here creates, changes or removes a jail. Handed out by
/// <see cref="ModuleContext.Jails"/>.
/// </summary>
/// <remarks>
/// Every call takes the prison-list lock shared for its duration and returns a copy, so a module must not
/// call it from a callback that runs under that lock (none does: services callbacks run outside it). A
/// returned jail may start dying right after; hold it with <see cref="Jail.TryHold"/> to keep it.
/// </remarks>
public sealed class JailLookup
{
    private readonly JailTable _jails;

    internal JailLookup(JailTable jails) => _jails = jails;

    /// <summary>prison0, the host (jid 0); it never dies.</summary>
    public Jail Prison0 => _jails.Prison0;

    /// <summary>
    /// The jail with jid <paramref name="jid"/>, alive or dying (FreeBSD's <c>prison_find</c>), or null
    /// when there is none (or it is still being created, or already freed). No visibility check: the
    /// module applies its own (<see cref="Jail.IsSelfOrAncestorOf"/>).
    /// </summary>
    public Jail? Find(int jid) => _jails.Find(jid);

    /// <summary>
    /// A jail <paramref name="viewer"/> can see (a strict descendant; FreeBSD's <c>prison_find_child</c>),
    /// by jid or by name relative to the viewer; dying jails only when <paramref name="includeDying"/>.
    /// Null when there is none the viewer can see.
    /// </summary>
    public Jail? FindVisible(Jail viewer, string jidOrName, bool includeDying = false)
    {
        ArgumentNullException.ThrowIfNull(viewer);
        ArgumentNullException.ThrowIfNull(jidOrName);
        return _jails.FindVisible(viewer, jidOrName, includeDying);
    }

    /// <summary>
    /// The jails <paramref name="viewer"/> can see (its descendants, not itself), in jid order; dying ones
    /// only when <paramref name="includeDying"/>. <c>List(Prison0, includeDying: true)</c> is every jail
    /// but prison0.
    /// </summary>
    public IReadOnlyList<Jail> List(Jail viewer, bool includeDying = false)
    {
        ArgumentNullException.ThrowIfNull(viewer);
        return _jails.List(viewer, includeDying);
    }
}
