using Prison.Core.Ipc;
using Prison.Core.Procs;

namespace Prison.Core.Syscalls;

// System V IPC: each call goes through the gate of its contract and returns ENOSYS while the module is not loaded.
public sealed partial class SyscallInterface
{
    /// <summary>shmget(2) (sys/kern/sysv_shm.c): the id of the segment for a key, creating it with IPC_CREAT. EINVAL (size out of shmmin/shmmax, or larger than an existing segment), ENOENT (no such key without IPC_CREAT), EEXIST (IPC_CREAT|IPC_EXCL on an existing key), EACCES (mode), ENOSPC (shmmni or shmall reached), ENOMEM or the rctl deny errno; ENOSYS without sysvshm. Keys live in the caller's jail's namespace.</summary>
    public SysResult<int> ShmGet(Proc td, int key, ulong size, int flg)
    {
        if (!_kernel.Sysent.Gate<IShmSyscalls>().TryEnter(out var call))
            return Errno.ENOSYS;
        using (call)
            return call.Impl.ShmGet(td, key, size, flg);
    }

    /// <summary>shmat(2): maps a segment into the caller's address space; EINVAL (bad id or address), EACCES, EMFILE (shmseg reached), ENOMEM; ENOSYS without sysvshm.</summary>
    public SysResult<ulong> ShmAt(Proc td, int shmid, ulong addr, int flg)
    {
        if (!_kernel.Sysent.Gate<IShmSyscalls>().TryEnter(out var call))
            return Errno.ENOSYS;
        using (call)
            return call.Impl.ShmAt(td, shmid, addr, flg);
    }

    /// <summary>shmdt(2): unmaps the segment attached at an address; EINVAL when nothing is attached there; ENOSYS without sysvshm.</summary>
    public Errno ShmDt(Proc td, ulong addr)
    {
        if (!_kernel.Sysent.Gate<IShmSyscalls>().TryEnter(out var call))
            return Errno.ENOSYS;
        using (call)
            return call.Impl.ShmDt(td, addr);
    }

    /// <summary>shmctl(2): IPC_STAT/SHM_STAT copy out into <paramref name="buf"/>, IPC_SET, IPC_RMID; EINVAL (bad id or cmd), EACCES, EPERM (not owner or creator); ENOSYS without sysvshm.</summary>
    public SysResult<int> ShmCtl(Proc td, int shmid, int cmd, ref ShmidDs buf)
    {
        if (!_kernel.Sysent.Gate<IShmSyscalls>().TryEnter(out var call))
            return Errno.ENOSYS;
        using (call)
            return call.Impl.ShmCtl(td, shmid, cmd, ref buf);
    }

    /// <summary>A load (copyin of user memory) through the process's address space; SIGSEGV when shm is not loaded (nothing is mapped).</summary>
    public MemFault ShmRead(Proc td, ulong addr, Span<byte> destination)
    {
        if (!_kernel.Sysent.Gate<IShmSyscalls>().TryEnter(out var call))
            return MemFault.SIGSEGV;
        using (call)
            return call.Impl.Read(td, addr, destination);
    }

    /// <summary>A store through the process's address space.</summary>
    public MemFault ShmWrite(Proc td, ulong addr, ReadOnlySpan<byte> source)
    {
        if (!_kernel.Sysent.Gate<IShmSyscalls>().TryEnter(out var call))
            return MemFault.SIGSEGV;
        using (call)
            return call.Impl.Write(td, addr, source);
    }

    /// <summary>semget(2) (sys/kern/sysv_sem.c): the id of the set for a key; EINVAL (nsems out of range), ENOENT, EEXIST, EACCES, ENOSPC (semmni or semmns reached); ENOSYS without sysvsem.</summary>
    public SysResult<int> SemGet(Proc td, int key, int nsems, int flg)
    {
        if (!_kernel.Sysent.Gate<ISemSyscalls>().TryEnter(out var call))
            return Errno.ENOSYS;
        using (call)
            return call.Impl.SemGet(td, key, nsems, flg);
    }

    /// <summary>semop(2): the operations are applied atomically; blocks unless IPC_NOWAIT (EAGAIN) or <paramref name="wait"/> says not to. E2BIG (more than semopm), EFBIG (bad semnum), ERANGE (semvmx), EIDRM (removed while waiting), EINTR; ENOSYS without sysvsem.</summary>
    public Errno SemOp(Proc td, int semid, ReadOnlySpan<SemBuf> sops, WaitPolicy wait = WaitPolicy.Block)
    {
        if (!_kernel.Sysent.Gate<ISemSyscalls>().TryEnter(out var call))
            return Errno.ENOSYS;
        using (call)
            return call.Impl.SemOp(td, semid, sops, wait);
    }

    /// <summary>semctl(2): GETVAL, SETVAL, GETALL, SETALL, GETPID, GETNCNT, GETZCNT, IPC_STAT, IPC_SET, IPC_RMID; EINVAL, EACCES, EPERM, ERANGE; ENOSYS without sysvsem.</summary>
    public SysResult<int> SemCtl(Proc td, int semid, int semnum, int cmd, SemUn? arg = null)
    {
        if (!_kernel.Sysent.Gate<ISemSyscalls>().TryEnter(out var call))
            return Errno.ENOSYS;
        using (call)
            return call.Impl.SemCtl(td, semid, semnum, cmd, arg);
    }

    /// <summary>msgget(2) (sys/kern/sysv_msg.c): the id of the queue for a key; ENOENT, EEXIST, EACCES, ENOSPC (msgmni reached); ENOSYS without sysvmsg.</summary>
    public SysResult<int> MsgGet(Proc td, int key, int flg)
    {
        if (!_kernel.Sysent.Gate<IMsgSyscalls>().TryEnter(out var call))
            return Errno.ENOSYS;
        using (call)
            return call.Impl.MsgGet(td, key, flg);
    }

    /// <summary>msgsnd(2): queues a message of <paramref name="msgsz"/> bytes; blocks while the queue is full unless IPC_NOWAIT (EAGAIN). EINVAL (mtype &lt; 1, msgsz above msgmax), EACCES, EIDRM, EINTR; ENOSYS without sysvmsg.</summary>
    public Errno MsgSnd(Proc td, int msqid, long mtype, ReadOnlySpan<byte> mtext, ulong msgsz, int flg, WaitPolicy wait = WaitPolicy.Block)
    {
        if (!_kernel.Sysent.Gate<IMsgSyscalls>().TryEnter(out var call))
            return Errno.ENOSYS;
        using (call)
            return call.Impl.MsgSnd(td, msqid, mtype, mtext, msgsz, flg, wait);
    }

    /// <summary>msgrcv(2): copies at most <paramref name="msgsz"/> bytes of the first message matching <paramref name="msgtyp"/>; blocks unless IPC_NOWAIT (ENOMSG). E2BIG (longer than msgsz without MSG_NOERROR), EACCES, EIDRM, EINTR; ENOSYS without sysvmsg.</summary>
    public SysResult<int> MsgRcv(Proc td, int msqid, Span<byte> buffer, ulong msgsz, long msgtyp, int flg, out long mtype, WaitPolicy wait = WaitPolicy.Block)
    {
        mtype = 0;
        if (!_kernel.Sysent.Gate<IMsgSyscalls>().TryEnter(out var call))
            return Errno.ENOSYS;
        using (call)
            return call.Impl.MsgRcv(td, msqid, buffer, msgsz, msgtyp, flg, out mtype, wait);
    }

    /// <summary>msgctl(2): IPC_STAT/MSG_STAT copy out into <paramref name="buf"/>, IPC_SET (EPERM raising msg_qbytes without privilege), IPC_RMID; EINVAL, EACCES, EPERM; ENOSYS without sysvmsg.</summary>
    public SysResult<int> MsgCtl(Proc td, int msqid, int cmd, ref MsqidDs buf)
    {
        if (!_kernel.Sysent.Gate<IMsgSyscalls>().TryEnter(out var call))
            return Errno.ENOSYS;
        using (call)
            return call.Impl.MsgCtl(td, msqid, cmd, ref buf);
    }
}
