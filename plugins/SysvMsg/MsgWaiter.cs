using Prison.Core;
using Prison.Core.Procs;

namespace Prison.Plugins.SysvMsg;

/// <summary>
/// A thread asleep in msgsnd or msgrcv. Whoever changes a queue completes the waiters that can now
/// proceed (a hand-off, so wake order is the order they went to sleep); the sleeper then only collects
/// its result. The waiter's own monitor guards <see cref="IsDone"/> and <see cref="Result"/>; it is taken
/// under the module lock, never the other way round.
/// </summary>
internal abstract class MsgWaiter(Proc proc, MessageQueue queue)
{
    private readonly object _signal = new();
    private bool _done;
    private Errno _result;

    /// <summary>The calling process (its pid goes into lspid / lrpid).</summary>
    public Proc Proc { get; } = proc;

    /// <summary>The queue slept on.</summary>
    public MessageQueue Queue { get; } = queue;

    /// <summary>True once the waiter has its result.</summary>
    public bool IsDone
    {
        get
        {
            lock (_signal)
                return _done;
        }
    }

    /// <summary>The result once done.</summary>
    public Errno Result
    {
        get
        {
            lock (_signal)
                return _result;
        }
    }

    /// <summary>Gives the waiter its result and wakes it. Only the first completion counts.</summary>
    /// <returns>False when the waiter was already done.</returns>
    public bool Complete(Errno result)
    {
        lock (_signal)
        {
            if (_done)
                return false;
            _result = result;
            _done = true;
            Monitor.Pulse(_signal);
            return true;
        }
    }

    /// <summary>Sleeps until <see cref="Complete"/> ran; called without the module lock.</summary>
    public Errno Sleep()
    {
        lock (_signal)
        {
            while (!_done)
                Monitor.Wait(_signal);
            return _result;
        }
    }
}

/// <summary>A sender waiting for room in its queue or for free segments / headers in the system.</summary>
/// <remarks>
/// The checks FreeBSD makes after the wait (mtype &lt; 1, then the copy-in) do not depend on the queue,
/// so they are decided before sleeping: <see cref="Outcome"/> is what the send ends with once room is
/// found, and <see cref="Body"/> is the copied text when that outcome is success.
/// </remarks>
internal sealed class SendWaiter(Proc proc, MessageQueue queue, long type, ulong size, Errno outcome, byte[]? body)
    : MsgWaiter(proc, queue)
{
    /// <summary>The message type.</summary>
    public long Type { get; } = type;

    /// <summary>msgsz.</summary>
    public ulong Size { get; } = size;

    /// <summary>EINVAL (mtype &lt; 1), EFAULT (msgsz past the caller's buffer) or OK.</summary>
    public Errno Outcome { get; } = outcome;

    /// <summary>The message text when <see cref="Outcome"/> is OK.</summary>
    public byte[]? Body { get; } = body;
}

/// <summary>A receiver waiting for a message its msgtyp selects.</summary>
internal sealed class ReceiveWaiter(Proc proc, MessageQueue queue, ulong maxSize, long msgtyp, bool noError)
    : MsgWaiter(proc, queue)
{
    /// <summary>msgsz: the most bytes the caller takes.</summary>
    public ulong MaxSize { get; } = maxSize;

    /// <summary>The type selector.</summary>
    public long Msgtyp { get; } = msgtyp;

    /// <summary>MSG_NOERROR: truncate instead of E2BIG.</summary>
    public bool NoError { get; } = noError;

    /// <summary>The message handed over (already taken off the queue), when the result is OK.</summary>
    public QueuedMessage? Message { get; set; }
}
