namespace Prison.Core.Ipc;

/// <summary><c>struct shmid_ds</c>.</summary>
public record struct ShmidDs(IpcPerm Perm, ulong Segsz, int Lpid, int Cpid, int Nattch, long Atime, long Dtime, long Ctime);
