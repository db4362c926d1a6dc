using System.Diagnostics;
using Prison.Core;
using Prison.Core.Procs;

namespace Prison.Plugins.SysvMsg;

/// <summary>
/// A thread asleep in msgsnd or msgrcv. Whoever changes a queue completes the waiters that can now
/// proceed (a hand-off, so wake order is the order they went to sleep); the sleeper then only collects
/// its result.
/// </summary>
/// <remarks>
/// <see cref="Complete"/> runs under the queue's lock (only the first completion counts); the sleeper
/// waits on a <see cref="ManualResetEventSlim"/>, which spins briefly before it parks, so a hand-off
/// between two running threads costs no context switch. The result and the message are written before
/// the event is set and read after it is observed set.
/// </remarks>
internal abstract class MsgWaiter(Proc proc, MessageQueue queue)
{
    /// <summary>
    /// How many times <see cref="Sleep"/> spins before it parks (ManualResetEventSlim's unit, which is
    /// SpinWait's: the first 10 busy-spin, the later ones yield the CPU with Thread.Yield / Sleep(0), never
    /// Sleep(1)). A yield lets the thread that will wake this one run on a busy core instead of paying a
    /// futex wake and a scheduler pass. Measured with <c>PingPongBenchmarks</c> on 2 loaded cores
    /// (docs/benchmarks.md, 2026-11-30 evening; semop waking after it unlocks): 10 spins 22 us per round
    /// trip, 35 spins 8 us, 100 spins no better; a longer busy spin without yields was 3.4 us at best
    /// and 75 us when the core was taken.
    /// </summary>
    private const int SpinCount = 35;

    private readonly ManualResetEventSlim _event = new(false, SpinCount);
    private int _done;
    private Errno _result;

    /// <summary>The calling process (its pid goes into lspid / lrpid).</summary>
    public Proc Proc { get; } = proc;

    /// <summary>The queue slept on.</summary>
    public MessageQueue Queue { get; } = queue;

    /// <summary>True once the waiter has its result.</summary>
    public bool IsDone => Volatile.Read(ref _done) != 0;

    /// <summary>Gives the waiter its result and wakes it. Only the first completion counts.</summary>
    /// <returns>False when the waiter was already done.</returns>
    public bool Complete(Errno result)
    {
        Debug.Assert(Queue.Gate.IsHeldByCurrentThread, "a sleeper is completed under its queue's lock (docs/locking.md)");
        if (Interlocked.CompareExchange(ref _done, 1, 0) != 0)
            return false;
        _result = result;
        _event.Set();
        return true;
    }

    /// <summary>Sleeps until <see cref="Complete"/> ran; called without any lock.</summary>
    public Errno Sleep()
    {
        // Not disposed: the completer may still be inside Set, and no kernel handle is ever created
        // (WaitHandle is never asked for), so there is nothing to free.
        _event.Wait();
        return _result;
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
