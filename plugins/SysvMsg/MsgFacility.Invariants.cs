using System.Diagnostics;
using Prison.Core.Ipc;

namespace Prison.Plugins.SysvMsg;

/// <summary>
/// Debug-build consistency checks (as System.Threading.Channels' BoundedChannel asserts its invariants):
/// compiled out of Release builds, run by every test. The per-queue check is O(messages of that queue)
/// and runs at the end of every msgsnd, msgrcv and IPC_SET; the module check walks every queue and runs
/// only where queues are created or removed (docs/locking.md, "Debug checks").
/// </summary>
internal sealed partial class MsgFacility
{
    /// <summary>
    /// Module totals, under the module lock: the system-wide header and segment counts (FreeBSD's
    /// <c>free_msghdrs</c> / <c>nfree_msgmaps</c> bookkeeping) equal the messages and segments queued, the
    /// starved-queue count matches its set, every live queue is indexed by its key and satisfies
    /// <see cref="AssertQueueInvariants"/>.
    /// </summary>
    /// <remarks>
    /// Reservations are made and given back under a queue's lock, so the totals are exact only while every
    /// queue lock is held: this check takes them all, in slot order, after the module lock. Nowhere else
    /// are two queue locks held at once; it cannot deadlock, because a thread that holds one queue lock
    /// never waits for another, and the threads that hold the module lock are excluded by it.
    /// </remarks>
    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(_lock.IsHeldByCurrentThread, "module invariants are checked under the module lock");
        var queues = _queues.Live().Select(x => x.Object).ToArray();
        var entered = 0;
        try
        {
            foreach (var q in queues)
            {
                q.Gate.Enter();
                entered++;
            }
            long headers = 0;
            long segments = 0;
            foreach (var q in queues)
            {
                Debug.Assert(!q.Removed, $"queue {q.Id} is in the table but marked removed");
                Debug.Assert(q.Perm.Key == IpcConstants.IPC_PRIVATE || ReferenceEquals(_byKey.Find(q.Creator, q.Perm.Key), q),
                    $"queue {q.Id} is not found by its key {q.Perm.Key}");
                AssertQueueInvariants(q);
                headers += q.Messages.Count;
                foreach (var m in q.Messages)
                    segments += m.Segments;
            }
            var usage = Usage();
            Debug.Assert(usage.Headers == headers, $"{usage.Headers} headers in use but {headers} messages queued");
            Debug.Assert(usage.Segments == segments, $"{usage.Segments} segments in use but the messages hold {segments}");
            Debug.Assert(Volatile.Read(ref _starvedCount) == _starved.Count, $"starved count {_starvedCount} but {_starved.Count} queues starved");
            foreach (var (q, _) in _starved)
                Debug.Assert(!q.Removed, $"removed queue {q.Id} is still marked starved");
            Debug.Assert(queues.Length == _queues.Count, $"the slot table counts {_queues.Count} queues but holds {queues.Length}");
        }
        finally
        {
            for (var i = entered - 1; i >= 0; i--)
                queues[i].Gate.Exit();
        }
    }

    /// <summary>
    /// One queue, under its lock: msg_cbytes is the sum of the queued messages' sizes and msg_qnum their
    /// number; a removed queue holds no message and no sleeper.
    /// </summary>
    [Conditional("DEBUG")]
    private static void AssertQueueInvariants(MessageQueue q)
    {
        Debug.Assert(q.Gate.IsHeldByCurrentThread, "queue invariants are checked under the queue's lock");
        ulong bytes = 0;
        foreach (var m in q.Messages)
        {
            Debug.Assert(m.Type >= 1, $"queue {q.Id} holds a message of type {m.Type}");
            bytes += m.Size;
        }
        Debug.Assert(q.Cbytes == bytes, $"queue {q.Id}: msg_cbytes {q.Cbytes} but its messages hold {bytes} bytes");
        Debug.Assert(!q.Removed || (q.Messages.Count == 0 && q.Senders.Count == 0 && q.Receivers.Count == 0),
            $"removed queue {q.Id} still holds messages or sleepers");
    }
}
