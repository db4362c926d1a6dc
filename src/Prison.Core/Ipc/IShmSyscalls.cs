using Prison.Core.Procs;

namespace Prison.Core.Ipc;

/// <summary>
/// System V shared memory syscalls (the contract the <c>sysvshm</c> module implements). Errors are
/// FreeBSD's, in FreeBSD's check order. A jail whose <c>sysvshm</c> is <c>disable</c> gets ENOSYS.
/// </summary>
public interface IShmSyscalls
{
    /// <summary>shmget(2).</summary>
    SysResult<int> ShmGet(Proc p, int key, ulong size, int shmflg);

    /// <summary>shmat(2): returns the attach address in the process's simulated address space.</summary>
    SysResult<ulong> ShmAt(Proc p, int shmid, ulong shmaddr, int shmflg);

    /// <summary>shmdt(2): the address must be the start of a live attachment.</summary>
    Errno ShmDt(Proc p, ulong shmaddr);

    /// <summary>shmctl(2): IPC_STAT fills <paramref name="buf"/>, IPC_SET reads it, IPC_RMID ignores it.</summary>
    SysResult<int> ShmCtl(Proc p, int shmid, int cmd, ref ShmidDs buf);

    /// <summary>A load from the process's address space (what a CPU read would do).</summary>
    MemFault Read(Proc p, ulong addr, Span<byte> destination);

    /// <summary>A store into the process's address space.</summary>
    MemFault Write(Proc p, ulong addr, ReadOnlySpan<byte> source);
}
