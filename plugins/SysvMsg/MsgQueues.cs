using Microsoft.Extensions.Logging;
using Prison.Core;
using Prison.Core.Ipc;
using Prison.Core.Ipc.Sysv;
using Prison.Core.Jails;
using Prison.Core.Procs;
using Prison.Core.Rctl;

namespace Prison.Plugins.SysvMsg;

/// <summary>
/// The message queue facility of one loaded <c>sysvmsg</c> module: the queue table, the system-wide
/// segment and header accounting, the sleepers, and the <see cref="IMsgSyscalls"/> calls
/// (msgget / msgsnd / msgrcv / msgctl in their own partial files).
/// </summary>
/// <remarks>
/// <para>Locking: one module lock, <c>_lock</c> (FreeBSD's <c>msq_mtx</c>), protects the queue table, every
/// <see cref="MessageQueue"/> and its messages and sleeper lists, the global segment / header counters,
/// the limits and <c>_closed</c>. Each <see cref="MsgWaiter"/> has its own monitor for its result; it is
/// taken inside <c>_lock</c> (by whoever completes the waiter) or alone (by the sleeper), never the other
/// way round. Jail references are released only after <c>_lock</c> is dropped, because freeing a jail
/// calls back into the jail services.</para>
/// <para>Waking: a thread that changes a queue hands messages and room to the sleepers that can use them,
/// in the order they went to sleep (<see cref="Pump"/>), so wake order is FIFO among equals and no
/// sleeper re-polls.</para>
/// </remarks>
internal sealed partial class MsgQueues : IMsgSyscalls
{
    private readonly object _lock = new();
    private readonly IpcSlotTable<MessageQueue> _queues = new();
    private readonly IpcKeyIndex<MessageQueue> _byKey = new();
    // Senders of every queue, in the order they went to sleep (they may wait for system-wide resources).
    private readonly List<SendWaiter> _sleepingSenders = [];
    private readonly Kernel _kernel;
    private readonly ILogger _log;
    private SysvNamespaces? _namespaces;
    private int _usedSegments;
    private int _usedHeaders;
    private int _sleepingReceivers;
    private bool _closed;
    // Threads inside a call (not under _lock: counted on entry and exit).
    private int _inside;

    public MsgQueues(Kernel kernel, MsgLimits limits, ILogger log)
    {
        _kernel = kernel;
        Limits = limits;
        _log = log;
    }

    /// <summary>The limits; read and changed under the module lock (see <see cref="ChangeLimit"/>).</summary>
    public MsgLimits Limits { get; }

    /// <summary>The per-jail namespaces (set right after the service registers).</summary>
    public SysvNamespaces Namespaces
    {
        get => _namespaces ?? throw new InvalidOperationException("the sysvmsg namespaces are not registered");
        set => _namespaces = value;
    }

    /// <summary>Queues that exist now.</summary>
    public int QueueCount
    {
        get
        {
            lock (_lock)
                return _queues.Count;
        }
    }

    /// <summary>Threads asleep on queue <paramref name="msqid"/> (senders, receivers); zeros when it does not exist.</summary>
    public (int Senders, int Receivers) Sleepers(int msqid)
    {
        lock (_lock)
            return _queues.Lookup(msqid) is { } q ? (q.Senders.Count, q.Receivers.Count) : (0, 0);
    }

    /// <summary>Segments and message headers in use in the whole system.</summary>
    public (int Segments, int Headers) Usage()
    {
        lock (_lock)
            return (_usedSegments, _usedHeaders);
    }

    /// <summary>
    /// kldunload's question (FreeBSD's <c>msgunload</c>): EBUSY while any queue exists (FreeBSD refuses
    /// while any <c>msg_qbytes != 0</c>, i.e. any queue is allocated, so one holding messages certainly)
    /// or any thread is inside a call.
    /// </summary>
    public Errno QueryUnload()
    {
        lock (_lock)
        {
            if (_queues.Count > 0)
            {
                _log.LogInformation("sysvmsg busy: {Count} message queue(s) exist", _queues.Count);
                return Errno.EBUSY;
            }
        }
        if (Volatile.Read(ref _inside) > 0)
        {
            _log.LogInformation("sysvmsg busy: a thread is inside a message queue call");
            return Errno.EBUSY;
        }
        return Errno.OK;
    }

    /// <summary>
    /// The last step before the syscalls are drained at unload: later calls get ENOSYS, every queue is
    /// removed and its sleepers wake with EIDRM (only a forced unload finds any), so the drain cannot hang.
    /// </summary>
    public void Close()
    {
        List<Jail> release = [];
        lock (_lock)
        {
            _closed = true;
            foreach (var (_, q) in _queues.Live().ToArray())
                Remove(q, release);
        }
        ReleaseJails(release);
    }

    /// <summary>
    /// The namespace cleanup (FreeBSD's <c>msg_prison_cleanup</c>): removes every queue created in
    /// <paramref name="jail"/>; their sleepers wake with EIDRM.
    /// </summary>
    public void RemoveCreatedBy(Jail jail)
    {
        List<Jail> release = [];
        lock (_lock)
        {
            foreach (var (_, q) in _queues.Live().Where(x => ReferenceEquals(x.Object.Creator, jail)).ToArray())
                Remove(q, release);
            Pump();
        }
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
        lock (_lock)
        {
            return _queues.Live()
                .Where(x => SysvNamespaces.CanSee(root, x.Object.Creator))
                .Select(x => new MsgQueueInfo(x.Id, x.Object.ToDs(SysvNamespaces.KeyAsSeenBy(cred.Jail, x.Object.Creator, x.Object.Perm.Key)), x.Object.Creator.Id))
                .ToArray();
        }
    }

    /// <summary>Changes a limit under the lock; a raise of msgtql / msgseg lets waiting senders in at once.</summary>
    public Errno ChangeLimit(Func<long, Errno> set, long value)
    {
        lock (_lock)
        {
            var error = set(value);
            if (error == Errno.OK)
                Pump();
            return error;
        }
    }

    /// <summary>Reads a limit under the lock.</summary>
    public long ReadLimit(Func<MsgLimits, int> get)
    {
        lock (_lock)
            return get(Limits);
    }

    private long Now() => _kernel.Time.GetUtcNow().ToUnixTimeSeconds();

    /// <summary>The queue an id names, if the caller's namespace sees it (an invisible queue is absent: EINVAL).</summary>
    private MessageQueue? Find(int msqid, Jail root) =>
        _queues.Lookup(msqid) is { } q && SysvNamespaces.CanSee(root, q.Creator) ? q : null;

    /// <summary>
    /// The queue msgsnd or msgrcv works on, in FreeBSD's order: the module is open (ENOSYS), the id names a
    /// visible queue (EINVAL), <paramref name="access"/> is granted (EACCES). Called with the lock held.
    /// </summary>
    private Errno OpenLocked(Ucred cred, int msqid, Jail root, int access, out MessageQueue queue)
    {
        queue = null!;
        if (_closed)
            return Errno.ENOSYS;
        if (Find(msqid, root) is not { } q)
            return Errno.EINVAL;
        queue = q;
        return IpcPermissions.Check(cred, q.Perm, access);
    }

    /// <summary>FreeBSD's resource test in msgsnd: room in the queue, a free header and enough free segments.</summary>
    private bool HasRoom(MessageQueue q, ulong size, int segments) =>
        q.Cbytes + size <= q.Qbytes && _usedSegments + segments <= Limits.Msgseg && _usedHeaders < Limits.Msgtql;

    private void Enqueue(MessageQueue q, Proc sender, long type, byte[] body, int segments)
    {
        q.Messages.AddLast(new QueuedMessage(type, body, segments));
        q.Cbytes += (ulong)body.Length;
        _usedSegments += segments;
        _usedHeaders++;
        q.Lspid = sender.Pid;
        q.Stime = Now();
    }

    private QueuedMessage Take(MessageQueue q, LinkedListNode<QueuedMessage> node, Proc receiver)
    {
        var m = node.Value;
        q.Messages.Remove(node);
        q.Cbytes -= m.Size;
        ReleaseMessages(q, 1, m.Size);
        _usedSegments -= m.Segments;
        _usedHeaders--;
        q.Lrpid = receiver.Pid;
        q.Rtime = Now();
        return m;
    }

    /// <summary>Removes a queue: frees its messages, wakes its sleepers with EIDRM; the caller pumps and releases.</summary>
    private void Remove(MessageQueue q, List<Jail> release)
    {
        _queues.Free(q.Id);
        _byKey.Remove(q.Creator, q.Perm.Key, q);
        // racct: the queue and every message still on it, given back to the creator's jail.
        _kernel.Racct.Release(q.Creator, RacctResource.Nmsgq, 1);
        ReleaseMessages(q, q.Messages.Count, q.Cbytes);
        foreach (var m in q.Messages)
        {
            _usedSegments -= m.Segments;
            _usedHeaders--;
        }
        q.Messages.Clear();
        q.Cbytes = 0;
        foreach (var s in q.Senders)
        {
            _sleepingSenders.Remove(s);
            CompleteSender(s, Errno.EIDRM);
        }
        q.Senders.Clear();
        foreach (var r in q.Receivers)
            r.Complete(Errno.EIDRM);
        _sleepingReceivers -= q.Receivers.Count;
        q.Receivers.Clear();
        release.Add(q.Creator);
        _log.LogDebug("message queue {Id} removed", q.Id);
    }

    /// <summary>
    /// Hands room to sleeping senders and messages to sleeping receivers until nothing more can move.
    /// Called under the lock after every change that may let a sleeper proceed.
    /// </summary>
    private void Pump()
    {
        while (PumpSenders() | PumpReceivers())
        {
        }
    }

    /// <summary>
    /// Completes sleeping senders that now fit, oldest first. A queue's senders go strictly in order (a
    /// later, smaller message does not overtake an earlier one, as FreeBSD's MSG_LOCKED makes later
    /// arrivals wait); senders of other queues may go past one that waits.
    /// </summary>
    private bool PumpSenders()
    {
        var progress = false;
        HashSet<MessageQueue>? stuck = null;
        for (var i = 0; i < _sleepingSenders.Count;)
        {
            var s = _sleepingSenders[i];
            var q = s.Queue;
            if (stuck is not null && stuck.Contains(q))
            {
                i++;
                continue;
            }
            Errno result;
            if (s.Size > q.Qbytes)
            {
                // FreeBSD checks msgsz against qbytes again after every sleep (IPC_SET may have lowered it).
                result = Errno.EINVAL;
            }
            else
            {
                var segments = Limits.SegmentsFor(s.Size);
                if (!HasRoom(q, s.Size, segments))
                {
                    (stuck ??= []).Add(q);
                    i++;
                    continue;
                }
                if (s.Outcome == Errno.OK)
                    Enqueue(q, s.Proc, s.Type, s.Body!, segments);
                result = s.Outcome;
            }
            _sleepingSenders.RemoveAt(i);
            q.Senders.Remove(s);
            CompleteSender(s, result);
            progress = true;
        }
        return progress;
    }

    /// <summary>Gives each sleeping receiver, oldest first, the message its msgtyp selects, if any.</summary>
    private bool PumpReceivers()
    {
        if (_sleepingReceivers == 0)
            return false;
        var progress = false;
        foreach (var (_, q) in _queues.Live())
        {
            for (var i = 0; i < q.Receivers.Count;)
            {
                var r = q.Receivers[i];
                if (q.Select(r.Msgtyp) is not { } node)
                {
                    i++;
                    continue;
                }
                q.Receivers.RemoveAt(i);
                _sleepingReceivers--;
                if (node.Value.Size > r.MaxSize && !r.NoError)
                {
                    // The message stays; this receiver wakes with E2BIG as in FreeBSD.
                    r.Complete(Errno.E2BIG);
                    continue;
                }
                r.Message = Take(q, node, r.Proc);
                r.Complete(Errno.OK);
                progress = true;
            }
        }
        return progress;
    }

    /// <summary>
    /// Puts the caller to sleep on the lists (under the lock) and arranges for a signal or kill to wake
    /// it with EINTR. The caller then leaves the lock and calls <see cref="Sleep"/>.
    /// </summary>
    private CancellationTokenRegistration Park(MsgWaiter w)
    {
        switch (w)
        {
            case SendWaiter s:
                s.Queue.Senders.Add(s);
                _sleepingSenders.Add(s);
                break;
            case ReceiveWaiter r:
                r.Queue.Receivers.Add(r);
                _sleepingReceivers++;
                break;
        }
        // A process already signalled-to-death runs the callback right here (the lock is re-entrant).
        return w.Proc.InterruptToken.Register(() => Interrupt(w));
    }

    /// <summary>Sleeps until a hand-off, a removal or an interrupt completes <paramref name="w"/>.</summary>
    private static Errno Sleep(MsgWaiter w, CancellationTokenRegistration interrupt)
    {
        var result = w.Sleep();
        // After the wait and outside the module lock: Dispose waits for a running callback, which takes the lock.
        interrupt.Dispose();
        return result;
    }

    private void Interrupt(MsgWaiter w)
    {
        lock (_lock)
        {
            if (w.IsDone)
                return;
            switch (w)
            {
                case SendWaiter s:
                    s.Queue.Senders.Remove(s);
                    _sleepingSenders.Remove(s);
                    CompleteSender(s, Errno.EINTR);
                    break;
                case ReceiveWaiter r:
                    r.Queue.Receivers.Remove(r);
                    _sleepingReceivers--;
                    r.Complete(Errno.EINTR);
                    break;
            }
            // A sender that was first in line no longer holds the others back.
            Pump();
        }
    }

    /// <summary>
    /// racct for one message (FreeBSD's msgsnd): msgqqueued, then msgqsize, charged to the queue creator's
    /// jail whoever sends, so that msgrcv and removal give it back to the same jail (FreeBSD charges the
    /// sender and releases against the creator). Released by <see cref="Take"/>, <see cref="Remove"/>, or
    /// when the send fails.
    /// </summary>
    private Errno ChargeMessage(MessageQueue q, ulong size)
    {
        var racct = _kernel.Racct;
        var charged = racct.Charge(q.Creator, RacctResource.MsgqQueued, 1);
        if (charged != Errno.OK)
            return charged;
        charged = racct.Charge(q.Creator, RacctResource.MsgqSize, (long)size);
        if (charged != Errno.OK)
            racct.Release(q.Creator, RacctResource.MsgqQueued, 1);
        return charged;
    }

    private void ReleaseMessages(MessageQueue q, int count, ulong bytes)
    {
        _kernel.Racct.Release(q.Creator, RacctResource.MsgqQueued, count);
        _kernel.Racct.Release(q.Creator, RacctResource.MsgqSize, (long)bytes);
    }

    /// <summary>Wakes a sleeping sender; one that failed gives back the message's charge (it was never queued).</summary>
    private void CompleteSender(SendWaiter s, Errno result)
    {
        if (result != Errno.OK)
            ReleaseMessages(s.Queue, 1, s.Size);
        s.Complete(result);
    }

    private static void ReleaseJails(List<Jail> jails)
    {
        foreach (var jail in jails)
            jail.Release();
    }

    private void Enter() => Interlocked.Increment(ref _inside);

    private void Leave() => Interlocked.Decrement(ref _inside);
}
