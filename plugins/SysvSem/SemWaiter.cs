using System.Diagnostics;

namespace Prison.Plugins.SysvSem;

/// <summary>
/// One thread asleep in semop, and the operation it is blocked on. A thread that changes the set wakes
/// only the waiters whose operation may now succeed (<see cref="MayProceed"/>); removal and a signal wake
/// exactly the waiters concerned. One instance per thread, reused by every sleep of that thread.
/// </summary>
/// <remarks>
/// The fields are written by the sleeper and read by wakers, both under the set's lock. The event is a
/// <see cref="ManualResetEventSlim"/>: it spins briefly before it parks, so a hand-off between two threads
/// that run at the same time costs no context switch. A late signal (a wake-up of an earlier sleep, or an
/// interrupt callback that ran after the call ended) only makes a later sleep re-check its operations.
/// </remarks>
internal sealed class SemWaiter
{
    /// <summary>
    /// How many times <see cref="Wait"/> spins before it parks (ManualResetEventSlim's unit, which is
    /// SpinWait's: the first 10 busy-spin, the later ones yield the CPU with Thread.Yield / Sleep(0), never
    /// Sleep(1)). A yield lets the thread that will wake this one run on a busy core instead of paying a
    /// futex wake and a scheduler pass. Measured with <c>PingPongBenchmarks</c> on 2 loaded cores
    /// (docs/benchmarks.md, 2026-11-30 evening; semop waking after it unlocks): 10 spins 22 us per round
    /// trip, 35 spins 8 us, 100 spins no better; a longer busy spin without yields was 3.4 us at best
    /// and 75 us when the core was taken.
    /// </summary>
    private const int SpinCount = 35;

    [ThreadStatic]
    private static SemWaiter? _current;

    private readonly ManualResetEventSlim _event = new(false, SpinCount);

    /// <summary>The waiter of the calling thread.</summary>
    public static SemWaiter ForCurrentThread => _current ??= new SemWaiter();

    /// <summary>The semaphore waited on.</summary>
    public int Num { get; private set; }

    /// <summary>The blocked operation: negative (wait for the value to reach -Op) or 0 (wait for zero).</summary>
    public int Op { get; private set; }

    /// <summary>
    /// What the operations before the blocked one add to the same semaphore (they were rolled back and are
    /// applied again first on the retry), so the condition matches what <c>TryApply</c> will see.
    /// </summary>
    public int Delta { get; private set; }

    /// <summary>Arms the waiter for a new sleep (under the set's lock, before it joins the set's waiters).</summary>
    public void Arm(int num, int op, int delta)
    {
        Num = num;
        Op = op;
        Delta = delta;
        _event.Reset();
    }

    /// <summary>True when the blocked operation could now be applied (under the set's lock).</summary>
    public bool MayProceed(SemSet set)
    {
        Debug.Assert(set.Gate.IsHeldByCurrentThread, "a waiter is tested under its set's lock (docs/locking.md)");
        var value = set.Sems[Num].Value + Delta;
        return Op == 0 ? value == 0 : value + Op >= 0;
    }

    /// <summary>Wakes the sleeper (any thread, any lock held: it only sets the event).</summary>
    public void Wake() => _event.Set();

    /// <summary>Sleeps until <see cref="Wake"/>; called without any lock.</summary>
    public void Wait() => _event.Wait();
}
