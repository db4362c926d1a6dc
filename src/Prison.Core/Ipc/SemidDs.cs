namespace Prison.Core.Ipc;

/// <summary><c>struct semid_ds</c>.</summary>
public record struct SemidDs(IpcPerm Perm, int Nsems, long Otime, long Ctime);
