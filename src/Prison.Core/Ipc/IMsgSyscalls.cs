using Prison.Core.Procs;

namespace Prison.Core.Ipc;

/// <summary>System V message queue syscalls (the <c>sysvmsg</c> module).</summary>
public interface IMsgSyscalls
{
    /// <summary>msgget(2).</summary>
    SysResult<int> MsgGet(Proc p, int key, int msgflg);

    /// <summary>
    /// msgsnd(2) of a message of type <paramref name="mtype"/> whose text is the first
    /// <paramref name="msgsz"/> bytes at <paramref name="mtext"/> (EFAULT when msgsz exceeds it).
    /// </summary>
    Errno MsgSnd(Proc p, int msqid, long mtype, ReadOnlySpan<byte> mtext, ulong msgsz, int msgflg, WaitPolicy wait = WaitPolicy.Block);

    /// <summary>msgrcv(2): copies at most <paramref name="msgsz"/> bytes into <paramref name="buffer"/>; returns the length.</summary>
    SysResult<int> MsgRcv(Proc p, int msqid, Span<byte> buffer, ulong msgsz, long msgtyp, int msgflg, out long mtype, WaitPolicy wait = WaitPolicy.Block);

    /// <summary>msgctl(2).</summary>
    SysResult<int> MsgCtl(Proc p, int msqid, int cmd, ref MsqidDs buf);
}
