using Microsoft.Extensions.Logging;
using Prison.Core.Ipc;
using Prison.Core.Ipc.Sysv;
using Prison.Core.Jails;
using Prison.Core.Modules;
using Prison.Core.Procs;

namespace Prison.Plugins.SysvSem;

/// <summary>
/// The per-jail namespaces (FreeBSD 11+): the <c>sysvsem</c> jail parameter and its service, the jail
/// cleanup it runs, and <c>kern.ipc.sema</c>, the list of sets a caller's namespace sees.
/// </summary>
internal sealed partial class SemFacility
{
    /// <summary>Registers the <c>sysvsem</c> jail parameter and its namespace service.</summary>
    public void RegisterNamespaces(ModuleContext context) =>
        _namespaces = SysvNamespaces.Register(context, "sysvsem", "SYSV semaphores", CleanupJail);

    /// <summary><c>kern.ipc.sema</c> for <paramref name="caller"/>: the sets it can see, keys hidden outside their jail.</summary>
    public IReadOnlyList<SemSetInfo> ListFor(Ucred caller)
    {
        var root = _namespaces.RootOf(caller.Jail);
        if (root is null)
            return [];
        var list = new List<SemSetInfo>();
        lock (_lock)
        {
            foreach (var (id, set) in _sets.Live())
            {
                if (!SysvNamespaces.CanSee(root, set.Creator))
                    continue;
                lock (set.Gate)
                    list.Add(new SemSetInfo(id, set.StatFor(caller.Jail), set.Creator.Id));
            }
        }
        return list;
    }

    /// <summary>
    /// FreeBSD's <c>sem_prison_cleanup</c>: removes every set created in <paramref name="jail"/> (the jail
    /// leaves <c>new</c>, is disabled, or is removed); their sleepers wake with EIDRM.
    /// </summary>
    private void CleanupJail(Jail jail)
    {
        var count = RemoveWhere(set => ReferenceEquals(set.Creator, jail));
        if (count != 0)
            _log.LogInformation("removed {Count} semaphore sets of jail {Jid}", count, jail.Id);
    }

    /// <summary>The caller's namespace root, or null when sysvsem is disabled in its jail (ENOSYS).</summary>
    private Jail? RootOf(Proc p) => _namespaces.RootOf(p.Jail);

    /// <summary>
    /// FreeBSD's <c>semvalid</c>, lock-free part: the set an id names if the caller's namespace sees it, or
    /// null (EINVAL). The caller locks the set and checks <see cref="SemSet.Removed"/>.
    /// </summary>
    private SemSet? Visible(int id, Jail root) =>
        _sets.Lookup(id) is { } set && SysvNamespaces.CanSee(root, set.Creator) ? set : null;
}
