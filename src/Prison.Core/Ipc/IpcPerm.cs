namespace Prison.Core.Ipc;

/// <summary>FreeBSD's <c>struct ipc_perm</c>: owner, creator, mode, sequence and key.</summary>
/// <param name="Cuid">Creator's uid.</param>
/// <param name="Cgid">Creator's gid.</param>
/// <param name="Uid">Owner's uid.</param>
/// <param name="Gid">Owner's gid.</param>
/// <param name="Mode">Permission bits (low 9 bits meaningful).</param>
/// <param name="Seq">Slot sequence number (part of the id).</param>
/// <param name="Key">The key (0 for IPC_PRIVATE, and as shown to viewers outside the object's namespace).</param>
public readonly record struct IpcPerm(uint Cuid, uint Cgid, uint Uid, uint Gid, int Mode, ushort Seq, int Key);

/// <summary><c>struct shmid_ds</c>.</summary>
public record struct ShmidDs(IpcPerm Perm, ulong Segsz, int Lpid, int Cpid, int Nattch, long Atime, long Dtime, long Ctime);

/// <summary><c>struct semid_ds</c>.</summary>
public record struct SemidDs(IpcPerm Perm, int Nsems, long Otime, long Ctime);

/// <summary><c>struct msqid_ds</c>.</summary>
public record struct MsqidDs(IpcPerm Perm, ulong Cbytes, ulong Qnum, ulong Qbytes, int Lspid, int Lrpid, long Stime, long Rtime, long Ctime);

/// <summary>One <c>struct sembuf</c>.</summary>
/// <param name="Num">Semaphore number.</param>
/// <param name="Op">Operation: &gt;0 add, &lt;0 subtract (waiting if needed), 0 wait for zero.</param>
/// <param name="Flg">IPC_NOWAIT, SEM_UNDO.</param>
public readonly record struct SemBuf(ushort Num, short Op, short Flg);

/// <summary>The result of a load or store through a simulated address.</summary>
public enum MemFault
{
    /// <summary>The access succeeded.</summary>
    None,
    /// <summary>No mapping with the needed access at the address.</summary>
    SIGSEGV,
    /// <summary>The mapping exists but its backing object does not cover the address.</summary>
    SIGBUS,
}

/// <summary>A segment as listed by <c>kern.ipc.shmsegs</c> for one viewer.</summary>
/// <param name="Id">The shmid.</param>
/// <param name="Ds">The status; its key is 0 when the viewer is outside the segment's namespace.</param>
/// <param name="CreatorJid">The jid of the jail that created the segment.</param>
public sealed record ShmSegmentInfo(int Id, ShmidDs Ds, int CreatorJid);

/// <summary>A semaphore set as listed by <c>kern.ipc.sema</c>.</summary>
public sealed record SemSetInfo(int Id, SemidDs Ds, int CreatorJid);

/// <summary>A message queue as listed by <c>kern.ipc.msqids</c>.</summary>
public sealed record MsgQueueInfo(int Id, MsqidDs Ds, int CreatorJid);
