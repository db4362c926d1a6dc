using Prison.Core.Procs;

namespace Prison.Core.Ipc;

/// <summary>
/// The System V IPC entry points as userland calls them: each goes through the syscall table and
/// returns ENOSYS when the module that implements it is not loaded.
/// </summary>
public static class SysvIpc
{
    /// <summary>shmget(2).</summary>
    public static SysResult<int> ShmGet(this Kernel k, Proc p, int key, ulong size, int flg)
    {
        if (!k.Syscalls.Gate<IShmSyscalls>().TryEnter(out var call))
            return Errno.ENOSYS;
        using (call)
            return call.Impl.ShmGet(p, key, size, flg);
    }

    /// <summary>shmat(2).</summary>
    public static SysResult<ulong> ShmAt(this Kernel k, Proc p, int shmid, ulong addr, int flg)
    {
        if (!k.Syscalls.Gate<IShmSyscalls>().TryEnter(out var call))
            return Errno.ENOSYS;
        using (call)
            return call.Impl.ShmAt(p, shmid, addr, flg);
    }

    /// <summary>shmdt(2).</summary>
    public static Errno ShmDt(this Kernel k, Proc p, ulong addr)
    {
        if (!k.Syscalls.Gate<IShmSyscalls>().TryEnter(out var call))
            return Errno.ENOSYS;
        using (call)
            return call.Impl.ShmDt(p, addr);
    }

    /// <summary>shmctl(2).</summary>
    public static SysResult<int> ShmCtl(this Kernel k, Proc p, int shmid, int cmd, ref ShmidDs buf)
    {
        if (!k.Syscalls.Gate<IShmSyscalls>().TryEnter(out var call))
            return Errno.ENOSYS;
        using (call)
            return call.Impl.ShmCtl(p, shmid, cmd, ref buf);
    }

    /// <summary>A load through the process's address space; SIGSEGV when shm is not loaded (nothing is mapped).</summary>
    public static MemFault ShmRead(this Kernel k, Proc p, ulong addr, Span<byte> destination)
    {
        if (!k.Syscalls.Gate<IShmSyscalls>().TryEnter(out var call))
            return MemFault.SIGSEGV;
        using (call)
            return call.Impl.Read(p, addr, destination);
    }

    /// <summary>A store through the process's address space.</summary>
    public static MemFault ShmWrite(this Kernel k, Proc p, ulong addr, ReadOnlySpan<byte> source)
    {
        if (!k.Syscalls.Gate<IShmSyscalls>().TryEnter(out var call))
            return MemFault.SIGSEGV;
        using (call)
            return call.Impl.Write(p, addr, source);
    }

    /// <summary>semget(2).</summary>
    public static SysResult<int> SemGet(this Kernel k, Proc p, int key, int nsems, int flg)
    {
        if (!k.Syscalls.Gate<ISemSyscalls>().TryEnter(out var call))
            return Errno.ENOSYS;
        using (call)
            return call.Impl.SemGet(p, key, nsems, flg);
    }

    /// <summary>semop(2).</summary>
    public static Errno SemOp(this Kernel k, Proc p, int semid, ReadOnlySpan<SemBuf> sops, WaitPolicy wait = WaitPolicy.Block)
    {
        if (!k.Syscalls.Gate<ISemSyscalls>().TryEnter(out var call))
            return Errno.ENOSYS;
        using (call)
            return call.Impl.SemOp(p, semid, sops, wait);
    }

    /// <summary>semctl(2).</summary>
    public static SysResult<int> SemCtl(this Kernel k, Proc p, int semid, int semnum, int cmd, SemUn? arg = null)
    {
        if (!k.Syscalls.Gate<ISemSyscalls>().TryEnter(out var call))
            return Errno.ENOSYS;
        using (call)
            return call.Impl.SemCtl(p, semid, semnum, cmd, arg);
    }

    /// <summary>msgget(2).</summary>
    public static SysResult<int> MsgGet(this Kernel k, Proc p, int key, int flg)
    {
        if (!k.Syscalls.Gate<IMsgSyscalls>().TryEnter(out var call))
            return Errno.ENOSYS;
        using (call)
            return call.Impl.MsgGet(p, key, flg);
    }

    /// <summary>msgsnd(2).</summary>
    public static Errno MsgSnd(this Kernel k, Proc p, int msqid, long mtype, ReadOnlySpan<byte> mtext, ulong msgsz, int flg, WaitPolicy wait = WaitPolicy.Block)
    {
        if (!k.Syscalls.Gate<IMsgSyscalls>().TryEnter(out var call))
            return Errno.ENOSYS;
        using (call)
            return call.Impl.MsgSnd(p, msqid, mtype, mtext, msgsz, flg, wait);
    }

    /// <summary>msgrcv(2).</summary>
    public static SysResult<int> MsgRcv(this Kernel k, Proc p, int msqid, Span<byte> buffer, ulong msgsz, long msgtyp, int flg, out long mtype, WaitPolicy wait = WaitPolicy.Block)
    {
        mtype = 0;
        if (!k.Syscalls.Gate<IMsgSyscalls>().TryEnter(out var call))
            return Errno.ENOSYS;
        using (call)
            return call.Impl.MsgRcv(p, msqid, buffer, msgsz, msgtyp, flg, out mtype, wait);
    }

    /// <summary>msgctl(2).</summary>
    public static SysResult<int> MsgCtl(this Kernel k, Proc p, int msqid, int cmd, ref MsqidDs buf)
    {
        if (!k.Syscalls.Gate<IMsgSyscalls>().TryEnter(out var call))
            return Errno.ENOSYS;
        using (call)
            return call.Impl.MsgCtl(p, msqid, cmd, ref buf);
    }
}
