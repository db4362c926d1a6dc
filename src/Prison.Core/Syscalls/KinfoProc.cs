namespace Prison.Core.Syscalls;

/// <summary>
/// One process as <c>kern.proc.all</c> reports it (FreeBSD's <c>struct kinfo_proc</c>, reduced to what
/// ps(1) shows): a copy taken at the time of the call.
/// </summary>
/// <param name="Pid">The process id (<c>ki_pid</c>).</param>
/// <param name="ParentPid">The parent's pid, 0 for a process the kernel started (<c>ki_ppid</c>).</param>
/// <param name="Jid">The id of the process's jail (<c>ki_jid</c>), 0 on the host.</param>
/// <param name="Uid">The effective uid (<c>ki_uid</c>).</param>
/// <param name="Gid">The effective gid (<c>ki_groups[0]</c>).</param>
/// <param name="Command">The command name (<c>ki_comm</c>).</param>
public sealed record KinfoProc(int Pid, int ParentPid, int Jid, uint Uid, uint Gid, string Command);
