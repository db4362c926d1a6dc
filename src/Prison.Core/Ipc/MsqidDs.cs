namespace Prison.Core.Ipc;

/// <summary><c>struct msqid_ds</c>.</summary>
public record struct MsqidDs(IpcPerm Perm, ulong Cbytes, ulong Qnum, ulong Qbytes, int Lspid, int Lrpid, long Stime, long Rtime, long Ctime);
