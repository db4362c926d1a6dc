using Microsoft.Extensions.Logging;
using Prison.Core.Ipc;
using Prison.Core.Ipc.Sysv;
using Prison.Core.Jails;
using Prison.Core.Procs;

namespace Prison.Plugins.SysvMsg;

/// <summary>
/// The per-jail namespaces (FreeBSD 11+): the <c>sysvmsg</c> jail parameter's service, the jail cleanup
/// it runs, and <c>kern.ipc.msqids</c>, the list of queues a caller's namespace sees.
/// </summary>
internal sealed partial class MsgFacility
{
    /// <summary>The per-jail namespaces (set right after the service registers).</summary>
    public SysvNamespaces Namespaces
    {
        get => _namespaces ?? throw new InvalidOperationException("the sysvmsg namespaces are not registered");
        set => _namespaces = value;
    }

    /// <summary>
    /// The namespace cleanup (FreeBSD's <c>msg_prison_cleanup</c>): removes every queue created in
    /// <paramref name="jail"/>; their sleepers wake with EIDRM.
    /// </summary>
    public void RemoveCreatedBy(Jail jail)
    {
        List<JailReference> release = [];
        lock (_lock)
        {
            foreach (var (_, q) in _queues.Live().Where(x => ReferenceEquals(x.Object.Creator, jail)).ToArray())
            {
                lock (q.Gate)
                    Remove(q, release);
            }
            AssertInvariants();
        }
        // Segments and headers came free: senders of other queues may be waiting for them.
        PumpStarved();
        if (release.Count > 0)
            _log.LogDebug("removed {Count} message queue(s) of jail {Jid}", release.Count, jail.Id);
        ReleaseJails(release);
    }

    /// <summary>
    /// <c>kern.ipc.msqids</c> for <paramref name="cred"/>: the queues its namespace sees, in slot order,
    /// with key 0 for queues created outside the caller's own jail; empty when the caller's jail has
    /// message queues disabled.
    /// </summary>
    public IReadOnlyList<MsgQueueInfo> List(Ucred cred)
    {
        if (Namespaces.RootOf(cred.Jail) is not { } root)
            return [];
        var list = new List<MsgQueueInfo>();
        lock (_lock)
        {
            foreach (var (id, q) in _queues.Live())
            {
                if (!SysvNamespaces.CanSee(root, q.Creator))
                    continue;
                lock (q.Gate)
                    list.Add(new MsgQueueInfo(id, q.ToDs(SysvNamespaces.KeyAsSeenBy(cred.Jail, q.Creator, q.Perm.Key)), q.Creator.Id));
            }
        }
        return list;
    }

    /// <summary>The queue an id names, if the caller's namespace sees it (an invisible queue is absent: EINVAL); lock-free, a hint.</summary>
    private MessageQueue? Find(int msqid, Jail root) =>
        _queues.Lookup(msqid) is { } q && SysvNamespaces.CanSee(root, q.Creator) ? q : null;
}
