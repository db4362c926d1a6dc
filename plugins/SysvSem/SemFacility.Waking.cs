using System.Diagnostics;
using Prison.Core;
using Prison.Core.Ipc;

namespace Prison.Plugins.SysvSem;

/// <summary>
/// Sleeping and waking in semop (FreeBSD's <c>msleep</c> / <c>wakeup</c> on the set): a blocked semop
/// sleeps on its own <see cref="SemWaiter"/>, listed on its set. A change to a set wakes only the waiters
/// of that set whose blocked operation may now succeed; removal wakes every waiter of the set (EIDRM); a
/// signal wakes only the signalled caller (EINTR). So two jails that share nothing never contend on a lock
/// or wake each other's threads. Everything here runs under the set's lock (docs/locking.md).
/// </summary>
internal sealed partial class SemFacility
{
    /// <summary>
    /// FreeBSD's <c>wakeup(semakptr)</c>, targeted: wakes the waiters of <paramref name="set"/> whose blocked
    /// operation may now succeed (they retry their whole vector). Called with the set's lock held.
    /// </summary>
    private void WakeEligible(SemSet set)
    {
        Debug.Assert(set.Gate.IsHeldByCurrentThread, "the set's lock must be held to wake its sleepers");
        foreach (var w in set.Waiters)
        {
            if (w.MayProceed(set))
                Wake(w);
        }
    }

    /// <summary>
    /// <see cref="WakeEligible"/> in two halves for semop: the eligible waiters are picked under the set's
    /// lock into this thread's list, and woken by <see cref="WakeCollected"/> after the lock is let go.
    /// Null when none is eligible. A wake that arrives late (the waiter already left for another reason)
    /// only makes its next sleep re-check its operations (<see cref="SemWaiter"/>).
    /// </summary>
    private static List<SemWaiter>? CollectEligible(SemSet set)
    {
        Debug.Assert(set.Gate.IsHeldByCurrentThread, "the set's lock must be held to pick its sleepers");
        List<SemWaiter>? picked = null;
        foreach (var w in set.Waiters)
        {
            if (w.MayProceed(set))
                (picked ??= _pickedWaiters ??= []).Add(w);
        }
        return picked;
    }

    /// <summary>Wakes what <see cref="CollectEligible"/> picked; called with no lock held.</summary>
    private void WakeCollected(List<SemWaiter> picked)
    {
        foreach (var w in picked)
            Wake(w);
        picked.Clear();
    }

    [ThreadStatic]
    private static List<SemWaiter>? _pickedWaiters;

    private void Wake(SemWaiter w)
    {
        Interlocked.Increment(ref _wakeups);
        w.Wake();
    }

    /// <summary>
    /// Sleeps until the operation at <paramref name="blocked"/> may succeed, the set is removed (EIDRM) or
    /// the process is interrupted (EINTR). Called with the set's lock held; the lock is dropped while the
    /// thread waits and held again on return. Counts the sleeper in semncnt / semzcnt of the semaphore it
    /// waits on while it sleeps.
    /// </summary>
    private Errno Sleep(SemSet set, ReadOnlySpan<SemBuf> sops, int blocked, SemWaiter waiter, CancellationToken interrupt)
    {
        Debug.Assert(set.Gate.IsHeldByCurrentThread, "a semop sleeper holds its set's lock");
        if (interrupt.IsCancellationRequested)
            return Errno.EINTR;
        var op = sops[blocked];
        // The earlier operations on the same semaphore were rolled back and run again first on the retry.
        var delta = 0;
        for (var i = 0; i < blocked; i++)
        {
            if (sops[i].Num == op.Num)
                delta += sops[i].Op;
        }
        ref var sem = ref set.Sems[op.Num];
        if (op.Op == 0)
            sem.Zcnt++;
        else
            sem.Ncnt++;
        waiter.Arm(op.Num, op.Op, delta);
        set.Waiters.Add(waiter);
        Interlocked.Increment(ref _sleepers);
        set.Gate.Exit();
        try
        {
            // Checked again after Arm reset the event: a signal whose callback set the event between the
            // check at the top and that reset would otherwise be lost, and the thread would sleep for
            // good (the sem stress found it: a process killed while its thread went back to sleep).
            // Cancel sets the token before it runs the callbacks, so the flag is seen here.
            if (!interrupt.IsCancellationRequested)
                waiter.Wait();
        }
        finally
        {
            set.Gate.Enter();
            Interlocked.Decrement(ref _sleepers);
            set.Waiters.Remove(waiter);
        }
        // FreeBSD checks removal first: a removed set's counters are gone with it.
        if (set.Removed)
            return Errno.EIDRM;
        if (op.Op == 0)
            set.Sems[op.Num].Zcnt--;
        else
            set.Sems[op.Num].Ncnt--;
        return interrupt.IsCancellationRequested ? Errno.EINTR : Errno.OK;
    }
}
