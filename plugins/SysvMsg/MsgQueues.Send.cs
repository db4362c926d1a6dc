using Prison.Core;
using Prison.Core.Ipc;
using Prison.Core.Ipc.Sysv;
using Prison.Core.Procs;

namespace Prison.Plugins.SysvMsg;

internal sealed partial class MsgQueues
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
        Enter();
        try
        {
            return Send(p, msqid, mtype, mtext, msgsz, msgflg, wait);
        }
        finally
        {
            Leave();
        }
    }

    private Errno Send(Proc p, int msqid, long mtype, ReadOnlySpan<byte> mtext, ulong msgsz, int msgflg, WaitPolicy wait)
    {
        var cred = p.Cred;
        if (Namespaces.RootOf(cred.Jail) is not { } root)
            return Errno.ENOSYS;
        SendWaiter waiter;
        CancellationTokenRegistration interrupt;
        lock (_lock)
        {
            if (_closed)
                return Errno.ENOSYS;
            if (Find(msqid, root) is not { } q)
                return Errno.EINVAL;
            var denied = IpcPermissions.Check(cred, q.Perm, IpcPermissions.IPC_W);
            if (denied != Errno.OK)
                return denied;
            if (msgsz > q.Qbytes)
                return Errno.EINVAL;
            var segments = Limits.SegmentsFor(msgsz);
            // msgsz <= qbytes, so it fits an int from here on.
            var outcome = mtype < 1 ? Errno.EINVAL : msgsz > (ulong)mtext.Length ? Errno.EFAULT : Errno.OK;
            if (q.Senders.Count == 0 && HasRoom(q, msgsz, segments))
            {
                if (outcome != Errno.OK)
                    return outcome;
                Enqueue(q, p, mtype, mtext[..(int)msgsz].ToArray(), segments);
                Pump();
                return Errno.OK;
            }
            if ((msgflg & IpcConstants.IPC_NOWAIT) != 0)
                return Errno.EAGAIN;
            if (wait == WaitPolicy.ReportWouldSleep)
                return Errno.EWOULDSLEEP;
            var body = outcome == Errno.OK ? mtext[..(int)msgsz].ToArray() : null;
            waiter = new SendWaiter(p, q, mtype, msgsz, outcome, body);
            interrupt = Park(waiter);
        }
        return Sleep(waiter, interrupt);
    }
}
