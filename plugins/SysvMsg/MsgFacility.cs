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
/// The sysvmsg facility of one kernel: the message queues, the system-wide segment and header
/// accounting, the sleepers, and the <see cref="IMsgSyscalls"/> implementation (FreeBSD's
/// sys/kern/sysv_msg.c, FreeBSD 11+ per-prison namespaces). This file holds the state and what the calls
/// share; the other partial files are Get (msgget), Send (msgsnd), Receive (msgrcv), Ctl (msgctl), Waking,
/// Namespaces, Snapshot, Limits and Invariants, the same layout as <c>SemFacility</c> and <c>ShmFacility</c>.
/// </summary>
/// <remarks>
/// Locks (the lock key is docs/locking.md): <c>_lock</c>, the module lock (FreeBSD's <c>msq_mtx</c> for
/// what is global), for creation and removal of queues, <c>_closed</c> and walks over every queue;
/// <see cref="MessageQueue.Gate"/>, one per queue, for everything else of the queue, the only lock
/// msgsnd, msgrcv and msgctl other than IPC_RMID take. Order: module → queue → racct; a creator jail
/// reference is released after every lock is dropped. Ids, keys and limits are read without a lock; the
/// system-wide segment and header counts are one 64-bit word changed with compare-and-swap
/// (<c>_usage</c>), so reserving room never needs the module lock.
/// </remarks>
internal sealed partial class MsgFacility : IMsgSyscalls
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

    public MsgFacility(RacctHandle racct, TimeProvider time, MsgLimits limits, ILogger log)
    {
        _racct = racct;
        _time = time;
        Limits = limits;
        _log = log;
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
            AssertInvariants();
        }
        ReleaseJails(release);
    }

    private long Now() => _time.GetUtcNow().ToUnixTimeSeconds();

    /// <summary>
    /// The entry of msgsnd and msgrcv: the interrupt token, read at syscall entry as every blocking call in
    /// the SysV modules does (a signal that arrives before the caller parks interrupts the sleep instead of
    /// being lost), then the caller's namespace (ENOSYS without one) and the queue (<see cref="Open"/>).
    /// </summary>
    private Errno Enter(Proc p, int msqid, out CancellationToken interrupt, out MessageQueue queue)
    {
        interrupt = p.InterruptToken;
        if (Namespaces.RootOf(p.Cred.Jail) is not { } root)
        {
            queue = null!;
            return Errno.ENOSYS;
        }
        return Open(msqid, root, out queue);
    }

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
        Debug.Assert(q.Gate.IsHeldByCurrentThread, "Enqueue runs under the queue's lock (docs/locking.md)");
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
