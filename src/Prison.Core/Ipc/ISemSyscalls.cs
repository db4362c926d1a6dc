using Prison.Core.Procs;

namespace Prison.Core.Ipc;

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
