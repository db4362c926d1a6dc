using Prison.Core.Ipc;
using Prison.Core.Jails;

namespace Prison.Plugins.SysvMsg;

/// <summary>
/// One message queue (FreeBSD's <c>struct msqid_kernel</c>): permissions, the jail that created it,
/// its messages in arrival order, its statistics and the threads asleep on it.
/// </summary>
/// <remarks>
/// <see cref="Id"/> (set before the queue is published) and <see cref="Creator"/> never change; every other
/// member is read and written under <see cref="Gate"/>, the queue's own lock (see <see cref="MsgFacility"/>
/// for the lock order).
/// </remarks>
internal sealed class MessageQueue(JailReference creator, IpcPerm perm, ulong qbytes, long ctime)
{
    /// <summary>The queue's lock: its messages, counters, times, permissions, sleepers and <see cref="Removed"/>.</summary>
    public Lock Gate { get; } = new();

    /// <summary>Set when the queue is removed; a thread that found it without a lock then treats it as absent.</summary>
    public bool Removed { get; set; }

    /// <summary>The msqid (set once the slot is allocated).</summary>
    public int Id { get; set; }

    /// <summary>The jail whose process created the queue; keys match only there, and it is held while the queue exists.</summary>
    public Jail Creator { get; } = creator.Jail;

    /// <summary>The queue's reference on <see cref="Creator"/>, taken once at creation, given back once when the queue is removed.</summary>
    public JailReference CreatorReference { get; } = creator;

    /// <summary>Owner, creator, mode, sequence and the real key.</summary>
    public IpcPerm Perm { get; set; } = perm;

    /// <summary>The most bytes the queue may hold.</summary>
    public ulong Qbytes { get; set; } = qbytes;

    /// <summary>The bytes queued now.</summary>
    public ulong Cbytes { get; set; }

    /// <summary>Pid of the last msgsnd.</summary>
    public int Lspid { get; set; }

    /// <summary>Pid of the last msgrcv.</summary>
    public int Lrpid { get; set; }

    /// <summary>Time of the last msgsnd (unix seconds).</summary>
    public long Stime { get; set; }

    /// <summary>Time of the last msgrcv.</summary>
    public long Rtime { get; set; }

    /// <summary>Time of creation or the last IPC_SET.</summary>
    public long Ctime { get; set; } = ctime;

    /// <summary>The messages, oldest first.</summary>
    public LinkedList<QueuedMessage> Messages { get; } = new();

    /// <summary>Senders asleep on this queue, in the order they went to sleep.</summary>
    public List<SendWaiter> Senders { get; } = [];

    /// <summary>Receivers asleep on this queue, in the order they went to sleep.</summary>
    public List<ReceiveWaiter> Receivers { get; } = [];

    /// <summary>The status as a viewer sees it, with <paramref name="shownKey"/> in place of the key.</summary>
    public MsqidDs ToDs(int shownKey) =>
        new(Perm with { Key = shownKey }, Cbytes, (ulong)Messages.Count, Qbytes, Lspid, Lrpid, Stime, Rtime, Ctime);

    /// <summary>
    /// The message msgrcv takes for <paramref name="msgtyp"/>: 0 the first; &gt; 0 the first of that type;
    /// &lt; 0 the first of the lowest type &lt;= |msgtyp| (POSIX and FreeBSD's manual; FreeBSD's code takes the
    /// first match, the project's spec chooses POSIX).
    /// </summary>
    public LinkedListNode<QueuedMessage>? Select(long msgtyp)
    {
        if (msgtyp == 0)
            return Messages.First;
        if (msgtyp > 0)
        {
            for (var n = Messages.First; n is not null; n = n.Next)
            {
                if (n.Value.Type == msgtyp)
                    return n;
            }
            return null;
        }
        // -long.MinValue does not exist; every type (all are >= 1) is below its magnitude.
        var limit = msgtyp == long.MinValue ? long.MaxValue : -msgtyp;
        LinkedListNode<QueuedMessage>? best = null;
        for (var n = Messages.First; n is not null; n = n.Next)
        {
            if (n.Value.Type <= limit && (best is null || n.Value.Type < best.Value.Type))
                best = n;
        }
        return best;
    }
}
