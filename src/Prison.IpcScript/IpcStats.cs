namespace Prison.IpcScript;

/// <summary>A pid as the script prints it: never set, the script's own process, or another one.</summary>
public enum PidClass
{
    /// <summary>0: never set.</summary>
    None,
    /// <summary>The calling process.</summary>
    Self,
    /// <summary>Any other process.</summary>
    Other,
}

/// <summary>The <c>ipc_perm</c> part of a stat payload.</summary>
/// <param name="Key">The key as a signed 32-bit value.</param>
/// <param name="Uid">Owner uid.</param>
/// <param name="Gid">Owner gid.</param>
/// <param name="Cuid">Creator uid.</param>
/// <param name="Cgid">Creator gid.</param>
/// <param name="Mode">The mode; only <c>&amp; 0777</c> is printed.</param>
public sealed record IpcPermStat(int Key, uint Uid, uint Gid, uint Cuid, uint Cgid, int Mode);

/// <summary>A shared memory segment's status, in the script's terms.</summary>
/// <param name="Perm">Owner, creator, mode, key.</param>
/// <param name="Dest">True when the segment is marked for destruction.</param>
/// <param name="Segsz">The segment size.</param>
/// <param name="Nattch">Number of attachments.</param>
/// <param name="Cpid">Creator pid.</param>
/// <param name="Lpid">Pid of the last shmat/shmdt.</param>
/// <param name="Atime">True when the attach time is set.</param>
/// <param name="Dtime">True when the detach time is set.</param>
/// <param name="Ctime">True when the change time is set.</param>
public sealed record ShmStat(IpcPermStat Perm, bool Dest, ulong Segsz, ulong Nattch, PidClass Cpid, PidClass Lpid, bool Atime, bool Dtime, bool Ctime);

/// <summary>A semaphore set's status.</summary>
/// <param name="Perm">Owner, creator, mode, key.</param>
/// <param name="Nsems">Number of semaphores.</param>
/// <param name="Otime">True when the last-semop time is set.</param>
/// <param name="Ctime">True when the change time is set.</param>
public sealed record SemStat(IpcPermStat Perm, ulong Nsems, bool Otime, bool Ctime);

/// <summary>A message queue's status.</summary>
/// <param name="Perm">Owner, creator, mode, key.</param>
/// <param name="Qnum">Messages in the queue.</param>
/// <param name="Qbytes">The queue's byte limit.</param>
/// <param name="Cbytes">Bytes in the queue.</param>
/// <param name="Lspid">Pid of the last msgsnd.</param>
/// <param name="Lrpid">Pid of the last msgrcv.</param>
/// <param name="Stime">True when the last-send time is set.</param>
/// <param name="Rtime">True when the last-receive time is set.</param>
/// <param name="Ctime">True when the change time is set.</param>
public sealed record MsgStat(IpcPermStat Perm, ulong Qnum, ulong Qbytes, ulong Cbytes, PidClass Lspid, PidClass Lrpid, bool Stime, bool Rtime, bool Ctime);
