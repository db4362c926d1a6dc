using Prison.Core;
using Prison.Core.Ipc;
using Prison.Core.Ipc.Sysv;
using Prison.Core.Procs;
using Prison.Core.Rctl;

namespace Prison.Plugins.SysvMsg;

internal sealed partial class MsgFacility
{
    /// <summary>
    /// msgsnd(2) in FreeBSD's order: ENOSYS; EINVAL for an id the caller cannot see; EACCES without write
    /// permission; EINVAL when msgsz &gt; qbytes; no room (queue bytes, system headers or segments, or
    /// earlier senders still waiting): EAGAIN with IPC_NOWAIT, EWOULDSLEEP when asked not to sleep, else
    /// sleep (EIDRM, EINTR); then EINVAL for mtype &lt; 1 and EFAULT when msgsz runs past
    /// <paramref name="mtext"/> (where FreeBSD's copyin fails). msgmax is not checked.
    /// </summary>
    public Errno MsgSnd(Proc p, int msqid, long mtype, ReadOnlySpan<byte> mtext, ulong msgsz, int msgflg, WaitPolicy wait = WaitPolicy.Block)
    {
        return Send(p, msqid, mtype, mtext, msgsz, msgflg, wait);
    }

    private Errno Send(Proc p, int msqid, long mtype, ReadOnlySpan<byte> mtext, ulong msgsz, int msgflg, WaitPolicy wait)
    {
        var cred = p.Cred;
        var opened = Enter(p, msqid, out var interruptToken, out var q);
        if (opened != Errno.OK)
            return opened;
        SendWaiter waiter;
        CancellationTokenRegistration interrupt;
        lock (q.Gate)
        {
            var checkedQ = CheckLocked(cred, q, IpcPermissions.IPC_W);
            if (checkedQ != Errno.OK)
                return checkedQ;
            // FreeBSD charges racct (EAGAIN) before it compares msgsz with qbytes; an oversized message is
            // only checked against the rules here, so an absurd msgsz is never added to the counters.
            if (msgsz > q.Qbytes)
                return WouldExceedRules(q, msgsz) ? Errno.EAGAIN : Errno.EINVAL;
            // racct: the message is charged now and given back on every failure below (or by a failed sleep).
            var charged = ChargeMessage(q, msgsz);
            if (charged != Errno.OK)
                return charged;
            var segments = Limits.SegmentsFor(msgsz);
            // msgsz <= qbytes, so it fits an int from here on.
            var outcome = mtype < 1 ? Errno.EINVAL : msgsz > (ulong)mtext.Length ? Errno.EFAULT : Errno.OK;
            var noSleep = (msgflg & IpcConstants.IPC_NOWAIT) != 0 ? Errno.EAGAIN
                : wait == WaitPolicy.ReportWouldSleep ? Errno.EWOULDSLEEP : Errno.OK;
            if (q.Senders.Count == 0)
            {
                // Only a sender that would sleep marks the queue starved (it is then first in line).
                var room = noSleep == Errno.OK ? ReserveOrMarkStarved(q, msgsz, segments) : TryReserve(q, msgsz, segments);
                if (room == Room.Available)
                {
                    if (outcome != Errno.OK)
                    {
                        ReleaseUsage(1, segments);
                        ReleaseMessages(q, 1, msgsz);
                        return outcome;
                    }
                    Enqueue(q, p, mtype, mtext[..(int)msgsz].ToArray(), segments);
                    // A new message: hand it to the first receiver whose selector matches.
                    PumpLocked(q);
                    AssertQueueInvariants(q);
                    return Errno.OK;
                }
            }
            if (noSleep != Errno.OK)
            {
                ReleaseMessages(q, 1, msgsz);
                return noSleep;
            }
            var body = outcome == Errno.OK ? mtext[..(int)msgsz].ToArray() : null;
            waiter = new SendWaiter(p, q, mtype, msgsz, outcome, body);
            interrupt = Park(waiter, interruptToken);
        }
        return Sleep(waiter, interrupt);
    }

    /// <summary>True when a rule on the queue creator's jail or an ancestor would refuse the message.</summary>
    private bool WouldExceedRules(MessageQueue q, ulong msgsz) =>
        _racct.Check(q.Creator, RacctResource.MsgqQueued, 1) != Errno.OK
        || _racct.Check(q.Creator, RacctResource.MsgqSize, (long)Math.Min(msgsz, long.MaxValue)) != Errno.OK;
}
