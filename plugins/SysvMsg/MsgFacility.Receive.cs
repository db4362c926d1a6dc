using Prison.Core;
using Prison.Core.Ipc;
using Prison.Core.Ipc.Sysv;
using Prison.Core.Procs;

namespace Prison.Plugins.SysvMsg;

internal sealed partial class MsgFacility
{
    /// <summary>
    /// msgrcv(2) in FreeBSD's order: ENOSYS; EINVAL for an id the caller cannot see; EACCES without read
    /// permission; the selected message larger than msgsz without MSG_NOERROR: E2BIG (it stays queued);
    /// nothing selected: ENOMSG with IPC_NOWAIT, EWOULDSLEEP when asked not to sleep, else sleep (EIDRM,
    /// EINTR). The message is taken off the queue before it is copied out, so a buffer shorter than what
    /// must be copied gives EFAULT and the message is lost, as in FreeBSD. msgsz has no sign check.
    /// </summary>
    public SysResult<int> MsgRcv(Proc p, int msqid, Span<byte> buffer, ulong msgsz, long msgtyp, int msgflg, out long mtype, WaitPolicy wait = WaitPolicy.Block)
    {
        return Receive(p, msqid, buffer, msgsz, msgtyp, msgflg, out mtype, wait);
    }

    private SysResult<int> Receive(Proc p, int msqid, Span<byte> buffer, ulong msgsz, long msgtyp, int msgflg, out long mtype, WaitPolicy wait)
    {
        mtype = 0;
        var cred = p.Cred;
        var opened = Enter(p, msqid, out var interruptToken, out var q);
        if (opened != Errno.OK)
            return opened;
        var noError = (msgflg & IpcConstants.MSG_NOERROR) != 0;
        ReceiveWaiter? waiter = null;
        var interrupt = default(CancellationTokenRegistration);
        QueuedMessage? taken = null;
        lock (q.Gate)
        {
            var checkedQ = CheckLocked(cred, q, IpcPermissions.IPC_R);
            if (checkedQ != Errno.OK)
                return checkedQ;
            if (q.Select(msgtyp) is { } node)
            {
                if (node.Value.Size > msgsz && !noError)
                    return Errno.E2BIG;
                taken = Take(q, node, p);
                // Room came free: the queue's senders first, in order.
                PumpLocked(q);
                AssertQueueInvariants(q);
            }
            else
            {
                if ((msgflg & IpcConstants.IPC_NOWAIT) != 0)
                    return Errno.ENOMSG;
                if (wait == WaitPolicy.ReportWouldSleep)
                    return Errno.EWOULDSLEEP;
                waiter = new ReceiveWaiter(p, q, msgsz, msgtyp, noError);
                interrupt = Park(waiter, interruptToken);
            }
        }
        if (taken is not null)
        {
            // Segments and a header came free: senders of other queues may be waiting for them.
            PumpStarved(q);
            // The message is off the queue and the buffer is the caller's: no lock needed to copy.
            return CopyOut(taken, buffer, msgsz, out mtype);
        }
        var result = Sleep(waiter!, interrupt);
        if (result != Errno.OK)
            return result;
        PumpStarved(q);
        return CopyOut(waiter!.Message!, buffer, msgsz, out mtype);
    }

    /// <summary>FreeBSD's copyout: min(msgsz, msg_ts) bytes; a buffer shorter than that faults.</summary>
    private static SysResult<int> CopyOut(QueuedMessage message, Span<byte> buffer, ulong msgsz, out long mtype)
    {
        mtype = 0;
        var length = (int)Math.Min(msgsz, message.Size);
        if (buffer.Length < length)
            return Errno.EFAULT;
        message.Body.AsSpan(0, length).CopyTo(buffer);
        mtype = message.Type;
        return SysResult<int>.Success(length);
    }
}
