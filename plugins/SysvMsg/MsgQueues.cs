using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Prison.Core;
using Prison.Core.Ipc;
using Prison.Core.Ipc.Sysv;
using Prison.Core.Jails;
using Prison.Core.Modules;
using Prison.Core.Procs;
using Prison.Core.Rctl;

namespace Prison.Plugins.SysvMsg;

/// <summary>
/// The message queue facility of one loaded <c>sysvmsg</c> module: the queue table, the system-wide
/// segment and header accounting, the sleepers, and the <see cref="IMsgSyscalls"/> calls
/// (msgget / msgsnd / msgrcv / msgctl in their own partial files).
/// </summary>
/// <remarks>
/// <para>Locks, in the order they are taken (module → object → racct → jail):</para>
/// <list type="number">
/// <item><c>_lock</c>, the module lock (FreeBSD's <c>msq_mtx</c> for what is global): creation and removal
/// of queues (the slot table and key index writers), <c>_closed</c>, limit changes, and walks over every
/// queue (cleanup, listing, snapshots). msgsnd, msgrcv and msgctl other than IPC_RMID never take it.</item>
/// <item><see cref="MessageQueue.Gate"/>, one per queue: its messages, counters, permissions, sleepers
/// and removed flag. Two queue locks are never held at once.</item>
/// <item>racct and jail references last; jail references are released only after every lock here is
/// dropped, because freeing a jail calls back into the jail services.</item>
/// </list>
/// <para>Ids and keys are looked up without a lock; the queue found is trusted only under its lock and
/// when <see cref="MessageQueue.Removed"/> is false. The system-wide segment and header counts are one
/// 64-bit word changed with compare-and-swap (<c>_usage</c>), so reserving room never needs the module
/// lock. Limits are written under the module lock and read without it (a change applies to later calls).</para>
/// <para>Waking is a hand-off: a thread that changes a queue completes the sleepers of that queue that can
/// now proceed, oldest first (<see cref="PumpLocked"/>): a send hands its message to the first receiver
/// whose type selector matches it, a receive lets the senders of that queue in. Senders that wait for
/// system-wide segments or headers rather than room in their queue mark their queue as starved
/// (<c>_starved</c>); whatever frees segments or headers then pumps those queues, one lock at a time.</para>
/// </remarks>
internal sealed partial class MsgQueues : IMsgSyscalls
{
    private readonly Lock _lock = new();
    private readonly IpcSlotTable<MessageQueue> _queues = new();
    private readonly IpcKeyIndex<MessageQueue> _byKey = new();
    // Queues whose first sleeping sender waits for system-wide segments or headers, and how many there
    // are (read on every msgrcv: ConcurrentDictionary.IsEmpty takes every lock of the dictionary when it
    // is empty, a shared write on the hot path).
    private readonly ConcurrentDictionary<MessageQueue, byte> _starved = new();
    private int _starvedCount;
    private readonly RacctHandle _racct;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private SysvNamespaces? _namespaces;
    // Headers in use in the high 32 bits, segments in the low 32 bits.
    private long _usage;
    private volatile bool _closed;

    public MsgQueues(RacctHandle racct, TimeProvider time, MsgLimits limits, ILogger log)
    {
        _racct = racct;
        _time = time;
        Limits = limits;
        _log = log;
    }

    /// <summary>The limits; changed under the module lock (see <see cref="ChangeLimit"/>), read without it.</summary>
    public MsgLimits Limits { get; }

    /// <summary>The per-jail namespaces (set right after the service registers).</summary>
    public SysvNamespaces Namespaces
    {
        get => _namespaces ?? throw new InvalidOperationException("the sysvmsg namespaces are not registered");
        set => _namespaces = value;
    }

    /// <summary>Queues that exist now.</summary>
    public int QueueCount => _queues.Count;

    /// <summary>Threads asleep on queue <paramref name="msqid"/> (senders, receivers); zeros when it does not exist.</summary>
    public (int Senders, int Receivers) Sleepers(int msqid)
    {
        if (_queues.Lookup(msqid) is not { } q)
            return (0, 0);
        lock (q.Gate)
            return q.Removed ? (0, 0) : (q.Senders.Count, q.Receivers.Count);
    }

    /// <summary>The lock of queue <paramref name="msqid"/> (tests hold it to stop a caller at a known point).</summary>
    internal Lock? GateOf(int msqid) => _queues.Lookup(msqid)?.Gate;

    /// <summary>Segments and message headers in use in the whole system.</summary>
    public (int Segments, int Headers) Usage()
    {
        var usage = Volatile.Read(ref _usage);
        return ((int)(usage & 0xffff_ffff), (int)(usage >> 32));
    }

    /// <summary>
    /// kldunload's question (FreeBSD's <c>msgunload</c>): EBUSY while any queue exists (FreeBSD refuses
    /// while any <c>msg_qbytes != 0</c>, i.e. any queue is allocated, so one holding messages certainly).
    /// A sleeper always sleeps on a queue, so none is left when this answers OK; a thread still inside a
    /// call that does not sleep is waited for by the syscall gate's drain (no module-wide counter is
    /// touched per call, so callers on different cores do not contend).
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
        return Errno.OK;
    }

    /// <summary>
    /// The last step before the syscalls are drained at unload: later calls get ENOSYS, every queue is
    /// removed and its sleepers wake with EIDRM (only a forced unload finds any), so the drain cannot hang.
    /// </summary>
    public void Close()
    {
        List<JailReference> release = [];
        lock (_lock)
        {
            _closed = true;
            foreach (var (_, q) in _queues.Live().ToArray())
            {
                lock (q.Gate)
                    Remove(q, release);
            }
        }
        ReleaseJails(release);
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

    /// <summary>Changes a limit under the lock; a raise of msgtql / msgseg lets waiting senders in at once.</summary>
    public Errno ChangeLimit(Func<long, Errno> set, long value)
    {
        Errno error;
        lock (_lock)
            error = set(value);
        if (error == Errno.OK)
            PumpStarved();
        return error;
    }

    /// <summary>Reads a limit under the lock.</summary>
    public long ReadLimit(Func<MsgLimits, int> get)
    {
        lock (_lock)
            return get(Limits);
    }

    private long Now() => _time.GetUtcNow().ToUnixTimeSeconds();

    /// <summary>The queue an id names, if the caller's namespace sees it (an invisible queue is absent: EINVAL); lock-free, a hint.</summary>
    private MessageQueue? Find(int msqid, Jail root) =>
        _queues.Lookup(msqid) is { } q && SysvNamespaces.CanSee(root, q.Creator) ? q : null;

    /// <summary>
    /// The queue msgsnd or msgrcv works on, in FreeBSD's order: the module is open (ENOSYS), the id names a
    /// visible queue (EINVAL). Lock-free; the caller locks the queue and calls <see cref="CheckLocked"/>.
    /// </summary>
    private Errno Open(int msqid, Jail root, out MessageQueue queue)
    {
        queue = null!;
        if (_closed)
            return Errno.ENOSYS;
        if (Find(msqid, root) is not { } q)
            return Errno.EINVAL;
        queue = q;
        return Errno.OK;
    }

    /// <summary>
    /// Under the queue's lock: a queue removed since the lock-free lookup is absent (ENOSYS when the
    /// module closed meanwhile, else EINVAL); then <paramref name="access"/> must be granted (EACCES).
    /// </summary>
    private Errno CheckLocked(Ucred cred, MessageQueue q, int access)
    {
        Debug.Assert(q.Gate.IsHeldByCurrentThread, "a queue is checked under its lock");
        if (q.Removed)
            return _closed ? Errno.ENOSYS : Errno.EINVAL;
        return IpcPermissions.Check(cred, q.Perm, access);
    }

    /// <summary>
    /// FreeBSD's resource test in msgsnd: room in the queue, then a free header and enough free segments
    /// in the system, which are reserved (CAS) when the answer is <see cref="Room.Available"/>.
    /// </summary>
    private Room TryReserve(MessageQueue q, ulong size, int segments)
    {
        Debug.Assert(q.Gate.IsHeldByCurrentThread, "room is reserved under the queue's lock");
        if (q.Cbytes + size > q.Qbytes)
            return Room.QueueFull;
        var maxSegments = Limits.Msgseg;
        var maxHeaders = Limits.Msgtql;
        var usage = Volatile.Read(ref _usage);
        while (true)
        {
            var usedSegments = (long)(usage & 0xffff_ffff);
            var usedHeaders = usage >> 32;
            if (usedSegments + segments > maxSegments || usedHeaders >= maxHeaders)
                return Room.SystemFull;
            var seen = Interlocked.CompareExchange(ref _usage, usage + (1L << 32) + segments, usage);
            if (seen == usage)
                return Room.Available;
            usage = seen;
        }
    }

    /// <summary>Gives back the header and segments of a message (taken, removed, or a reservation not used).</summary>
    private void ReleaseUsage(int messages, long segments) =>
        Interlocked.Add(ref _usage, -(((long)messages << 32) + segments));

    private void Enqueue(MessageQueue q, Proc sender, long type, byte[] body, int segments)
    {
        q.Messages.AddLast(new QueuedMessage(type, body, segments));
        q.Cbytes += (ulong)body.Length;
        q.Lspid = sender.Pid;
        q.Stime = Now();
    }

    private QueuedMessage Take(MessageQueue q, LinkedListNode<QueuedMessage> node, Proc receiver)
    {
        Debug.Assert(q.Gate.IsHeldByCurrentThread, "a message is taken under its queue's lock");
        var m = node.Value;
        q.Messages.Remove(node);
        q.Cbytes -= m.Size;
        ReleaseMessages(q, 1, m.Size);
        ReleaseUsage(1, m.Segments);
        q.Lrpid = receiver.Pid;
        q.Rtime = Now();
        return m;
    }

    /// <summary>
    /// Removes a queue (module lock and queue lock held): frees its messages, wakes its sleepers with
    /// EIDRM. The caller pumps the starved queues and disposes the creator references after dropping both locks.
    /// </summary>
    private void Remove(MessageQueue q, List<JailReference> release)
    {
        Debug.Assert(_lock.IsHeldByCurrentThread, "removal needs the module lock");
        Debug.Assert(q.Gate.IsHeldByCurrentThread, "removal needs the queue's lock");
        q.Removed = true;
        _queues.Free(q.Id);
        _byKey.Remove(q.Creator, q.Perm.Key, q);
        Unstarve(q);
        // racct: the queue and every message still on it, given back to the creator's jail.
        _racct.Release(q.Creator, RacctResource.Nmsgq, 1);
        ReleaseMessages(q, q.Messages.Count, q.Cbytes);
        long segments = 0;
        foreach (var m in q.Messages)
            segments += m.Segments;
        ReleaseUsage(q.Messages.Count, segments);
        q.Messages.Clear();
        q.Cbytes = 0;
        foreach (var s in q.Senders)
            CompleteSender(s, Errno.EIDRM);
        q.Senders.Clear();
        foreach (var r in q.Receivers)
            r.Complete(Errno.EIDRM);
        q.Receivers.Clear();
        release.Add(q.CreatorReference);
        _log.LogDebug("message queue {Id} removed", q.Id);
    }

    /// <summary>
    /// Hands room to the queue's sleeping senders and messages to its sleeping receivers until nothing
    /// more can move. Called under the queue's lock after every change that may let one of them proceed.
    /// </summary>
    private void PumpLocked(MessageQueue q)
    {
        Debug.Assert(q.Gate.IsHeldByCurrentThread, "a queue is pumped under its lock");
        while (PumpSenders(q) | PumpReceivers(q))
        {
        }
    }

    /// <summary>
    /// Completes the queue's sleeping senders that now fit, oldest first. They go strictly in order (a
    /// later, smaller message does not overtake an earlier one, as FreeBSD's MSG_LOCKED makes later
    /// arrivals wait). A first sender that waits for system-wide resources marks the queue starved.
    /// </summary>
    private bool PumpSenders(MessageQueue q)
    {
        var progress = false;
        while (q.Senders.Count > 0)
        {
            var s = q.Senders[0];
            Errno result;
            if (s.Size > q.Qbytes)
            {
                // FreeBSD checks msgsz against qbytes again after every sleep (IPC_SET may have lowered it).
                result = Errno.EINVAL;
            }
            else
            {
                var segments = Limits.SegmentsFor(s.Size);
                var room = ReserveOrMarkStarved(q, s.Size, segments);
                if (room != Room.Available)
                    return progress;
                if (s.Outcome == Errno.OK)
                    Enqueue(q, s.Proc, s.Type, s.Body!, segments);
                else
                    ReleaseUsage(1, segments);
                result = s.Outcome;
            }
            q.Senders.RemoveAt(0);
            CompleteSender(s, result);
            progress = true;
        }
        Unstarve(q);
        return progress;
    }

    /// <summary>
    /// <see cref="TryReserve"/> for a sender that will sleep (or is first in line): when the system is out of
    /// segments or headers, the queue is marked starved first and the reservation tried again, so a thread
    /// that frees resources at the same moment either sees the mark or leaves the resources for this retry.
    /// </summary>
    private Room ReserveOrMarkStarved(MessageQueue q, ulong size, int segments)
    {
        var room = TryReserve(q, size, segments);
        if (room == Room.QueueFull)
        {
            Unstarve(q);
            return room;
        }
        if (room == Room.Available)
            return room;
        if (_starved.TryAdd(q, 0))
            Interlocked.Increment(ref _starvedCount);
        // Pairs with the full fence of the releaser's Interlocked.Add before it reads _starved.
        Interlocked.MemoryBarrier();
        return TryReserve(q, size, segments);
    }

    /// <summary>Takes the queue off the starved list (under its lock).</summary>
    private void Unstarve(MessageQueue q)
    {
        if (Volatile.Read(ref _starvedCount) != 0 && _starved.TryRemove(q, out _))
            Interlocked.Decrement(ref _starvedCount);
    }

    /// <summary>Gives each sleeping receiver of the queue, oldest first, the message its msgtyp selects, if any.</summary>
    private bool PumpReceivers(MessageQueue q)
    {
        if (q.Receivers.Count == 0 || q.Messages.Count == 0)
            return false;
        var progress = false;
        for (var i = 0; i < q.Receivers.Count;)
        {
            var r = q.Receivers[i];
            if (q.Select(r.Msgtyp) is not { } node)
            {
                i++;
                continue;
            }
            q.Receivers.RemoveAt(i);
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
        return progress;
    }

    /// <summary>
    /// Pumps every queue whose first sender waits for system-wide segments or headers, after something
    /// freed them. Called with no lock held; takes one queue lock at a time.
    /// </summary>
    private void PumpStarved(MessageQueue? except = null)
    {
        if (Volatile.Read(ref _starvedCount) == 0)
            return;
        // The enumerator takes no lock (Keys would take every lock of the dictionary).
        foreach (var (q, _) in _starved)
        {
            if (ReferenceEquals(q, except))
                continue;
            lock (q.Gate)
            {
                if (!q.Removed)
                    PumpLocked(q);
            }
        }
    }

    /// <summary>
    /// Puts the caller to sleep on its queue (under the queue's lock) and arranges for a signal or kill to
    /// wake it with EINTR. <paramref name="interrupt"/> is the token read at syscall entry (the rule of every
    /// blocking call in the SysV modules), so a signal that came after the call started is not lost. The
    /// caller then leaves the lock and calls <see cref="Sleep"/>.
    /// </summary>
    private CancellationTokenRegistration Park(MsgWaiter w, CancellationToken interrupt)
    {
        Debug.Assert(w.Queue.Gate.IsHeldByCurrentThread, "a sleeper parks under its queue's lock");
        switch (w)
        {
            case SendWaiter s:
                s.Queue.Senders.Add(s);
                break;
            case ReceiveWaiter r:
                r.Queue.Receivers.Add(r);
                break;
        }
        // A token already cancelled runs the callback right here (the queue lock is re-entrant).
        return interrupt.Register(() => Interrupt(w));
    }

    /// <summary>Sleeps until a hand-off, a removal or an interrupt completes <paramref name="w"/>.</summary>
    private static Errno Sleep(MsgWaiter w, CancellationTokenRegistration interrupt)
    {
        var result = w.Sleep();
        // After the wait and outside the queue lock: Dispose waits for a running callback, which takes the lock.
        interrupt.Dispose();
        return result;
    }

    /// <summary>The interrupt callback: takes the sleeper off its queue with EINTR, unless it is done.</summary>
    private void Interrupt(MsgWaiter w)
    {
        var q = w.Queue;
        lock (q.Gate)
        {
            if (w.IsDone)
                return;
            switch (w)
            {
                case SendWaiter s:
                    q.Senders.Remove(s);
                    CompleteSender(s, Errno.EINTR);
                    break;
                case ReceiveWaiter r:
                    q.Receivers.Remove(r);
                    r.Complete(Errno.EINTR);
                    break;
            }
            // A sender that was first in line no longer holds the others back.
            if (!q.Removed)
                PumpLocked(q);
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
        var racct = _racct;
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
        _racct.Release(q.Creator, RacctResource.MsgqQueued, count);
        _racct.Release(q.Creator, RacctResource.MsgqSize, (long)bytes);
    }

    /// <summary>Wakes a sleeping sender; one that failed gives back the message's charge (it was never queued).</summary>
    private void CompleteSender(SendWaiter s, Errno result)
    {
        if (result != Errno.OK)
            ReleaseMessages(s.Queue, 1, s.Size);
        s.Complete(result);
    }

    /// <summary>Gives back the creator references of removed queues, after the locks: the last one frees a jail.</summary>
    private static void ReleaseJails(List<JailReference> references)
    {
        foreach (var reference in references)
            reference.Dispose();
    }

    /// <summary>What <see cref="TryReserve"/> found.</summary>
    private enum Room
    {
        /// <summary>Room in the queue and in the system; the segments and a header are reserved.</summary>
        Available,

        /// <summary>The queue's bytes would pass qbytes.</summary>
        QueueFull,

        /// <summary>The system is out of segments or headers.</summary>
        SystemFull,
    }
}
