using Prison.Core.Procs;

namespace Prison.Core.Ipc;

/// <summary>
/// System V shared memory syscalls (the contract the <c>sysvshm</c> module implements). Errors are
/// FreeBSD's, in FreeBSD's check order. A jail whose <c>sysvshm</c> is <c>disable</c> gets ENOSYS.
/// </summary>
public interface IShmSyscalls
{
    /// <summary>shmget(2).</summary>
    SysResult<int> ShmGet(Proc p, int key, ulong size, int shmflg);

    /// <summary>shmat(2): returns the attach address in the process's simulated address space.</summary>
    SysResult<ulong> ShmAt(Proc p, int shmid, ulong shmaddr, int shmflg);

    /// <summary>shmdt(2): the address must be the start of a live attachment.</summary>
    Errno ShmDt(Proc p, ulong shmaddr);

    /// <summary>shmctl(2): IPC_STAT fills <paramref name="buf"/>, IPC_SET reads it, IPC_RMID ignores it.</summary>
    SysResult<int> ShmCtl(Proc p, int shmid, int cmd, ref ShmidDs buf);

    /// <summary>A load from the process's address space (what a CPU read would do).</summary>
    MemFault Read(Proc p, ulong addr, Span<byte> destination);

    /// <summary>A store into the process's address space.</summary>
    MemFault Write(Proc p, ulong addr, ReadOnlySpan<byte> source);
}

/// <summary>The <c>semctl</c> argument (<c>union semun</c>).</summary>
public sealed class SemUn
{
    /// <summary>SETVAL's value.</summary>
    public int Val { get; set; }

    /// <summary>GETALL's output / SETALL's input.</summary>
    public ushort[]? Array { get; set; }

    /// <summary>IPC_STAT's output / IPC_SET's input.</summary>
    public SemidDs Buf { get; set; }
}

/// <summary>System V semaphore syscalls (the <c>sysvsem</c> module).</summary>
public interface ISemSyscalls
{
    /// <summary>semget(2).</summary>
    SysResult<int> SemGet(Proc p, int key, int nsems, int semflg);

    /// <summary>semop(2): atomic; blocks unless IPC_NOWAIT (EAGAIN) or <paramref name="wait"/> says not to.</summary>
    Errno SemOp(Proc p, int semid, ReadOnlySpan<SemBuf> sops, WaitPolicy wait = WaitPolicy.Block);

    /// <summary>semctl(2).</summary>
    SysResult<int> SemCtl(Proc p, int semid, int semnum, int cmd, SemUn? arg);
}

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
