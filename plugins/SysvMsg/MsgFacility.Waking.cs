using System.Diagnostics;
using Prison.Core;

namespace Prison.Plugins.SysvMsg;

/// <summary>
/// Sleeping and waking, as a hand-off: a thread that changes a queue completes the sleepers of that queue
/// that can now proceed, oldest first (<see cref="PumpLocked"/>): a send hands its message to the first
/// receiver whose type selector matches it, a receive lets the senders of that queue in. Senders that wait
/// for system-wide segments or headers rather than room in their queue mark their queue as starved
/// (<c>_starved</c>); whatever frees segments or headers then pumps those queues, one lock at a time
/// (docs/locking.md).
/// </summary>
internal sealed partial class MsgFacility
{
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
        Debug.Assert(q.Gate.IsHeldByCurrentThread, "PumpSenders runs under the queue's lock (docs/locking.md)");
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
        Debug.Assert(q.Gate.IsHeldByCurrentThread, "ReserveOrMarkStarved runs under the queue's lock (docs/locking.md)");
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
        Debug.Assert(q.Gate.IsHeldByCurrentThread, "Unstarve runs under the queue's lock (docs/locking.md)");
        if (Volatile.Read(ref _starvedCount) != 0 && _starved.TryRemove(q, out _))
            Interlocked.Decrement(ref _starvedCount);
    }

    /// <summary>Gives each sleeping receiver of the queue, oldest first, the message its msgtyp selects, if any.</summary>
    private bool PumpReceivers(MessageQueue q)
    {
        Debug.Assert(q.Gate.IsHeldByCurrentThread, "PumpReceivers runs under the queue's lock (docs/locking.md)");
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

    /// <summary>Wakes a sleeping sender; one that failed gives back the message's charge (it was never queued).</summary>
    private void CompleteSender(SendWaiter s, Errno result)
    {
        if (result != Errno.OK)
            ReleaseMessages(s.Queue, 1, s.Size);
        s.Complete(result);
    }
}
