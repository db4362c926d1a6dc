using Prison.Core.Ipc;

namespace Prison.IpcScript;

/// <summary>
/// The System V IPC calls of one process on one platform (Prison's kernel or the Linux kernel). The
/// script session does all parsing and bookkeeping; a back end only makes calls and reports results
/// in platform-neutral terms (errno names, pid classes, set/unset times).
/// </summary>
public interface IIpcBackend
{
    /// <summary>The platform's flag values.</summary>
    IpcPlatform Platform { get; }

    /// <summary>shmget(2).</summary>
    IpcResult<int> ShmGet(int key, ulong size, int flags);

    /// <summary>
    /// shmat(2) at <paramref name="address"/> (0: the kernel chooses). When <paramref name="reusing"/> is
    /// given, the address lies in that detached attachment's reserved range, which the back end
    /// releases for the call (and keeps reserved if the call fails).
    /// </summary>
    IpcResult<ulong> ShmAt(int shmid, ulong address, int flags, IpcRange? reusing);

    /// <summary>
    /// shmdt(2). When it succeeds, <paramref name="reserve"/> (the attachment's mapping) stays reserved
    /// with no access, so later plain shmat calls never reuse it.
    /// </summary>
    IpcResult ShmDt(ulong address, IpcRange reserve);

    /// <summary>shmctl IPC_STAT.</summary>
    IpcResult<ShmStat> ShmStat(int shmid);

    /// <summary>shmctl IPC_SET.</summary>
    IpcResult ShmSet(int shmid, uint uid, uint gid, int mode);

    /// <summary>shmctl IPC_RMID.</summary>
    IpcResult ShmRemove(int shmid);

    /// <summary>shmctl with a raw command number and a zeroed 8 KiB buffer.</summary>
    IpcResult<int> ShmControl(int shmid, int cmd);

    /// <summary>The segment's status read with privilege, or null when it does not exist.</summary>
    ShmStat? PeekShm(int shmid);

    /// <summary>Loads bytes from a live attachment (the runner has checked the range).</summary>
    MemFault Read(ulong address, Span<byte> destination);

    /// <summary>Stores bytes into a live, writable attachment (the runner has checked the range).</summary>
    MemFault Write(ulong address, ReadOnlySpan<byte> source);

    /// <summary>semget(2).</summary>
    IpcResult<int> SemGet(int key, int nsems, int flags);

    /// <summary>semop(2) that never sleeps: <see cref="IpcOutcome.WouldBlock"/> where it would.</summary>
    IpcResult SemOp(int semid, ReadOnlySpan<SemBuf> operations);

    /// <summary>semctl GETVAL, GETNCNT or GETZCNT.</summary>
    IpcResult<int> SemGetCount(int semid, int semnum, SemCountQuery query);

    /// <summary>semctl GETPID.</summary>
    IpcResult<PidClass> SemGetPid(int semid, int semnum);

    /// <summary>semctl GETALL.</summary>
    IpcResult<ushort[]> SemGetAll(int semid, int semnum);

    /// <summary>semctl SETVAL.</summary>
    IpcResult SemSetValue(int semid, int semnum, int value);

    /// <summary>semctl SETALL.</summary>
    IpcResult SemSetAll(int semid, int semnum, ushort[] values);

    /// <summary>semctl IPC_STAT.</summary>
    IpcResult<SemStat> SemStat(int semid, int semnum);

    /// <summary>semctl IPC_SET.</summary>
    IpcResult SemSet(int semid, int semnum, uint uid, uint gid, int mode);

    /// <summary>semctl IPC_RMID.</summary>
    IpcResult SemRemove(int semid, int semnum);

    /// <summary>semctl with a raw command number and a zeroed 8 KiB buffer.</summary>
    IpcResult<int> SemControl(int semid, int semnum, int cmd);

    /// <summary>The set's status read with privilege, or null when it does not exist.</summary>
    SemStat? PeekSem(int semid);

    /// <summary>msgget(2).</summary>
    IpcResult<int> MsgGet(int key, int flags);

    /// <summary>msgsnd(2) that never sleeps.</summary>
    IpcResult MsgSnd(int msqid, long type, ReadOnlySpan<byte> body, ulong msgsz, int flags);

    /// <summary>msgrcv(2) that never sleeps, into a buffer of <paramref name="bufferSize"/> bytes.</summary>
    IpcResult<MsgReceived> MsgRcv(int msqid, ulong msgsz, int bufferSize, long msgtyp, int flags);

    /// <summary>msgctl IPC_STAT.</summary>
    IpcResult<MsgStat> MsgStat(int msqid);

    /// <summary>msgctl IPC_SET.</summary>
    IpcResult MsgSet(int msqid, uint uid, uint gid, int mode, ulong qbytes);

    /// <summary>msgctl IPC_RMID.</summary>
    IpcResult MsgRemove(int msqid);

    /// <summary>msgctl with a raw command number and a zeroed 8 KiB buffer.</summary>
    IpcResult<int> MsgControl(int msqid, int cmd);

    /// <summary>The queue's status read with privilege, or null when it does not exist.</summary>
    MsgStat? PeekMsg(int msqid);

    /// <summary>Returns the effective uid to 0, then sets it to <paramref name="uid"/>.</summary>
    IpcResult SetUid(uint uid);

    /// <summary>Sets the effective gid (at any euid).</summary>
    IpcResult SetGid(uint gid);

    /// <summary>Sets the kernel limit <paramref name="name"/> (one of <see cref="IpcLimits.Names"/>).</summary>
    IpcResult SetLimit(string name, long value);
}

/// <summary>The counting semctl queries.</summary>
public enum SemCountQuery
{
    /// <summary>GETVAL.</summary>
    Value,
    /// <summary>GETNCNT.</summary>
    WaitingForIncrease,
    /// <summary>GETZCNT.</summary>
    WaitingForZero,
}

/// <summary>The limits <c>limit NAME VALUE</c> accepts (spec section 9).</summary>
public static class IpcLimits
{
    /// <summary>Every NAME.</summary>
    public static readonly IReadOnlyList<string> Names =
        ["shmmax", "shmall", "shmmni", "msgmax", "msgmnb", "msgmni", "semmsl", "semmns", "semopm", "semmni", "semvmx", "semaem"];
}
