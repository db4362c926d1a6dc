using System.Diagnostics;
using Prison.Core;
using Prison.Core.Ipc;
using Prison.Core.Ipc.Sysv;
using Prison.Core.Procs;
using Prison.Core.Rctl;

namespace Prison.Plugins.SysvSem;

internal sealed partial class SemFacility
{
    /// <summary>FreeBSD copies up to this many operations without checking semopm (SMALL_SOPS).</summary>
    private const int SmallSops = 8;

    /// <summary>
    /// semop(2), FreeBSD's <c>kern_semop</c>: ENOSYS; EINVAL (index out of range); E2BIG (more than
    /// semopm operations); EINVAL (no such set, or not visible); EFBIG (a sem_num outside the set);
    /// EACCES (read for wait-for-zero, alter for the others, both when mixed); then all operations are
    /// tried in order and applied only together. An operation that cannot proceed makes the call fail
    /// with EAGAIN when it carries IPC_NOWAIT, report EWOULDSLEEP under
    /// <see cref="WaitPolicy.ReportWouldSleep"/>, or sleep until the set changes, is removed (EIDRM) or the
    /// process is signalled or killed (EINTR). ERANGE when a value would pass semvmx. SEM_UNDO
    /// adjustments are recorded after the values; if one cannot be (ERANGE, EINVAL, ENOSPC), everything
    /// is rolled back.
    /// </summary>
    public Errno SemOp(Proc p, int semid, ReadOnlySpan<SemBuf> sops, WaitPolicy wait = WaitPolicy.Block)
    {
        var root = RootOf(p);
        if (root is null)
            return Errno.ENOSYS;
        // One token for the whole call, read at syscall entry (the rule of every blocking call in the
        // SysV modules): a signal that arrives while the call runs stays pending and interrupts the next
        // sleep, as a signal posted during a syscall does in FreeBSD (PCATCH).
        var interrupt = p.InterruptToken;
        if (!IndexInRange(semid))
            return Errno.EINVAL;
        // As FreeBSD: a short vector is copied into a stack buffer without the semopm check.
        if (sops.Length > SmallSops && sops.Length > _limits.Semopm)
            return Errno.E2BIG;
        // rctl's nsemop limit on the caller's jail (a limit only, never accounted). FreeBSD checks
        // it only for vectors longer than SMALL_SOPS; Prison checks every call so a limit below 9 holds.
        var limited = _racct.Check(p.Cred.Jail, RacctResource.Nsemop, sops.Length);
        if (limited != Errno.OK)
            return limited;
        var set = Visible(semid, root);
        if (set is null)
            return Errno.EINVAL;
        var registration = default(CancellationTokenRegistration);
        SemWaiter? waiter = null;
        List<SemWaiter>? woken = null;
        try
        {
            using (set.Gate.EnterScope())
            {
                // Looked up without a lock: a set removed since is no longer there (EINVAL, as semvalid).
                if (set.Removed)
                    return Errno.EINVAL;
                var access = 0;
                var undos = false;
                foreach (var op in sops)
                {
                    if (op.Num >= set.Sems.Length)
                        return Errno.EFBIG;
                    if ((op.Flg & IpcConstants.SEM_UNDO) != 0 && op.Op != 0)
                        undos = true;
                    access |= op.Op == 0 ? IpcPermissions.IPC_R : IpcPermissions.IPC_W;
                }
                var denied = IpcPermissions.Check(p.Cred, set.Perm, access);
                if (denied != Errno.OK)
                    return denied;
                // The threads of an exiting process are gone in FreeBSD; here a late call must not record
                // undo entries that the exit hook, already run, would never apply.
                if (p.HasExited)
                    return Errno.EINTR;

                bool wake;
                while (true)
                {
                    var blocked = TryApply(set, sops, out wake, out var error);
                    if (error != Errno.OK)
                        return error;
                    if (blocked < 0)
                        break;
                    var op = sops[blocked];
                    if ((op.Flg & IpcConstants.IPC_NOWAIT) != 0)
                        return Errno.EAGAIN;
                    if (wait == WaitPolicy.ReportWouldSleep)
                        return Errno.EWOULDSLEEP;
                    if (waiter is null)
                    {
                        waiter = SemWaiter.ForCurrentThread;
                        // Registered once per call, woken only for this caller. A token already cancelled runs
                        // the callback here, which only sets the event: the sleep below returns at once.
                        registration = interrupt.Register(static w => ((SemWaiter)w!).Wake(), waiter);
                    }
                    var slept = Sleep(set, sops, blocked, waiter, interrupt);
                    if (slept != Errno.OK)
                        return slept;
                }

                if (undos)
                {
                    var undone = RecordUndo(p, set, sops);
                    if (undone != Errno.OK)
                        return undone;
                }
                foreach (var op in sops)
                    set.Sems[op.Num].Pid = p.Pid;
                set.Otime = Now();
                if (wake)
                    woken = CollectEligible(set);
                AssertSetInvariants(set);
                return Errno.OK;
            }
        }
        finally
        {
            // Unregister never waits for a running callback; a late one only sets this thread's event,
            // which makes a later sleep re-check its operations.
            registration.Unregister();
            // The sleepers are woken once the set's lock is let go, so a woken thread that runs at once
            // does not find the lock still held by its waker and park again on it.
            if (woken is not null)
                WakeCollected(woken);
        }
    }

    /// <summary>
    /// One pass over the operations. Returns -1 when all were applied (values changed), else the index
    /// of the first one that cannot proceed, with every earlier change rolled back; <paramref name="error"/>
    /// is ERANGE when that operation would pass semvmx. <paramref name="wake"/> says whether a sleeper
    /// may now proceed.
    /// </summary>
    private int TryApply(SemSet set, ReadOnlySpan<SemBuf> sops, out bool wake, out Errno error)
    {
        Debug.Assert(set.Gate.IsHeldByCurrentThread, "TryApply runs under the set's lock (docs/locking.md)");
        wake = false;
        error = Errno.OK;
        var vmx = _limits.Semvmx;
        int i;
        for (i = 0; i < sops.Length; i++)
        {
            var op = sops[i];
            ref var sem = ref set.Sems[op.Num];
            if (op.Op < 0)
            {
                if (sem.Value + op.Op < 0)
                    break;
                sem.Value += op.Op;
                if (sem.Value == 0 && sem.Zcnt > 0)
                    wake = true;
            }
            else if (op.Op == 0)
            {
                if (sem.Value != 0)
                    break;
            }
            else if (sem.Value + op.Op > vmx)
            {
                error = Errno.ERANGE;
                break;
            }
            else
            {
                if (sem.Ncnt > 0)
                    wake = true;
                sem.Value += op.Op;
            }
        }
        if (i == sops.Length)
            return -1;
        for (var j = 0; j < i; j++)
            set.Sems[sops[j].Num].Value -= sops[j].Op;
        wake = false;
        return i;
    }

    /// <summary>
    /// Records the SEM_UNDO adjustments of a successful vector (-op per altering operation). On failure
    /// the adjustments made so far and the semaphore values are rolled back and the error returned.
    /// </summary>
    private Errno RecordUndo(Proc p, SemSet set, ReadOnlySpan<SemBuf> sops)
    {
        Debug.Assert(set.Gate.IsHeldByCurrentThread, "undo entries are recorded under the set's lock");
        lock (_undoLock)
        {
            // Checked under the undo lock: the exit hook takes the process's entries under it after the
            // process is marked exited, so an entry recorded here is either taken by the hook or refused.
            if (p.HasExited)
            {
                foreach (var undo in sops)
                    set.Sems[undo.Num].Value -= undo.Op;
                return Errno.EINTR;
            }
            return RecordUndoLocked(p, set, sops);
        }
    }

    private Errno RecordUndoLocked(Proc p, SemSet set, ReadOnlySpan<SemBuf> sops)
    {
        Debug.Assert(_undoLock.IsHeldByCurrentThread && set.Gate.IsHeldByCurrentThread, "undo entries are recorded under the set's lock and the undo lock (docs/locking.md)");
        for (var i = 0; i < sops.Length; i++)
        {
            var op = sops[i];
            if ((op.Flg & IpcConstants.SEM_UNDO) == 0 || op.Op == 0)
                continue;
            var error = _undo.Adjust(p, set, op.Num, -op.Op, _limits);
            if (error == Errno.OK)
                continue;
            // Undo in exact reverse order, so every step restores an earlier state and cannot fail.
            for (var k = i - 1; k >= 0; k--)
            {
                var back = sops[k];
                if ((back.Flg & IpcConstants.SEM_UNDO) != 0 && back.Op != 0)
                    _undo.Adjust(p, set, back.Num, back.Op, _limits, enforceLimits: false);
            }
            foreach (var undo in sops)
                set.Sems[undo.Num].Value -= undo.Op;
            return error;
        }
        return Errno.OK;
    }
}
