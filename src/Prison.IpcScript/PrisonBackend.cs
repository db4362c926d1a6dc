using Prison.Core;
using Prison.Core.Ipc;
using Prison.Core.Procs;
using Prison.Core.Syscalls;

namespace Prison.IpcScript;

/// <summary>
/// Runs IPC script operations against a Prison kernel as <see cref="Proc"/>, through the SysvIpc
/// entry points (ENOSYS when a module is not loaded). Blocking calls (semop, msgsnd, msgrcv without
/// IPC_NOWAIT) follow <see cref="Wait"/>: by default <see cref="WaitPolicy.ReportWouldSleep"/>, so
/// nothing ever waits (the IPC script language's rule); the <c>prison</c> shell sets
/// <see cref="WaitPolicy.Block"/>, so a call sleeps until it can proceed, the object is removed (EIDRM)
/// or the process is signalled (EINTR).
/// </summary>
public sealed class PrisonBackend : IIpcBackend
{
    /// <summary>FreeBSD's SHMSEG_REMOVED bit in a segment's mode (sys/kern/sysv_shm.c): marked for destruction.</summary>
    public const int ShmSegRemoved = 0x0400;

    /// <summary>The size of the zeroed buffer handed to raw ctl commands (8 KiB).</summary>
    private const int RawBufferBytes = 8192;

    /// <summary>A back end making its calls through <paramref name="syscalls"/> (a kernel's <c>Kernel.Syscalls</c>) as <paramref name="proc"/>.</summary>
    public PrisonBackend(SyscallInterface syscalls, Proc proc)
    {
        ArgumentNullException.ThrowIfNull(syscalls);
        ArgumentNullException.ThrowIfNull(proc);
        Syscalls = syscalls;
        Proc = proc;
    }

    /// <summary>The system call interface every operation goes through.</summary>
    public SyscallInterface Syscalls { get; }

    /// <summary>The calling process (the shell may switch it between commands).</summary>
    public Proc Proc { get; set; }

    /// <summary>What a call that would sleep does (default: report <c>skip blocking</c> and change nothing).</summary>
    public WaitPolicy Wait { get; set; } = WaitPolicy.ReportWouldSleep;

    /// <inheritdoc />
    public IpcPlatform Platform => IpcPlatform.FreeBsd;

    private static IpcResult Status(Errno e) => e switch
    {
        Errno.OK => IpcResult.Success,
        Errno.EWOULDSLEEP => IpcResult.Blocked,
        _ => IpcResult.Fail(e.Name()),
    };

    private static IpcResult<T> Map<TIn, T>(SysResult<TIn> r, Func<TIn, T> convert) =>
        r.Ok ? IpcResult<T>.Success(convert(r.Value)) : Status(r.Error);

    private PidClass Pid(int pid) => pid == 0 ? PidClass.None : pid == Proc.Pid ? PidClass.Self : PidClass.Other;

    private static IpcPermStat Perm(IpcPerm p) => new(p.Key, p.Uid, p.Gid, p.Cuid, p.Cgid, p.Mode);

    private ShmStat Convert(ShmidDs d) =>
        new(Perm(d.Perm), (d.Perm.Mode & ShmSegRemoved) != 0, d.Segsz, (ulong)d.Nattch, Pid(d.Cpid), Pid(d.Lpid), d.Atime != 0, d.Dtime != 0, d.Ctime != 0);

    private static SemStat Convert(SemidDs d) => new(Perm(d.Perm), (ulong)d.Nsems, d.Otime != 0, d.Ctime != 0);

    private MsgStat Convert(MsqidDs d) =>
        new(Perm(d.Perm), d.Qnum, d.Qbytes, d.Cbytes, Pid(d.Lspid), Pid(d.Lrpid), d.Stime != 0, d.Rtime != 0, d.Ctime != 0);

    /// <summary>Runs <paramref name="read"/> with euid 0 (returning to the current euid after), as the spec's privileged reads require.</summary>
    private T AsRoot<T>(Func<T> read)
    {
        var saved = Proc.Cred.Uid;
        if (saved == 0 || Syscalls.SetUid(Proc, 0) != Errno.OK)
            return read();
        try
        {
            return read();
        }
        finally
        {
            Syscalls.SetUid(Proc, saved);
        }
    }

    /// <inheritdoc />
    public IpcResult<int> ShmGet(int key, ulong size, int flags) => Map(Syscalls.ShmGet(Proc, key, size, flags), id => id);

    /// <inheritdoc />
    public IpcResult<ulong> ShmAt(int shmid, ulong address, int flags, IpcRange? reusing) =>
        Map(Syscalls.ShmAt(Proc, shmid, address, flags), a => a);

    /// <inheritdoc />
    public IpcResult ShmDt(ulong address, IpcRange reserve) => Status(Syscalls.ShmDt(Proc, address));

    /// <inheritdoc />
    public IpcResult<ShmStat> ShmStat(int shmid)
    {
        var buf = default(ShmidDs);
        var r = Syscalls.ShmCtl(Proc, shmid, IpcConstants.IPC_STAT, ref buf);
        return r.Ok ? IpcResult<ShmStat>.Success(Convert(buf)) : Status(r.Error);
    }

    /// <inheritdoc />
    public IpcResult ShmSet(int shmid, uint uid, uint gid, int mode)
    {
        var buf = default(ShmidDs) with { Perm = new IpcPerm(0, 0, uid, gid, mode, 0, 0) };
        return Status(Syscalls.ShmCtl(Proc, shmid, IpcConstants.IPC_SET, ref buf).Error);
    }

    /// <inheritdoc />
    public IpcResult ShmRemove(int shmid)
    {
        var buf = default(ShmidDs);
        return Status(Syscalls.ShmCtl(Proc, shmid, IpcConstants.IPC_RMID, ref buf).Error);
    }

    /// <inheritdoc />
    public IpcResult<int> ShmControl(int shmid, int cmd)
    {
        var buf = default(ShmidDs);
        return Map(Syscalls.ShmCtl(Proc, shmid, cmd, ref buf), v => v);
    }

    /// <inheritdoc />
    public ShmStat? PeekShm(int shmid) => AsRoot(() => ShmStat(shmid) is { Ok: true } r ? r.Value : null);

    /// <inheritdoc />
    public MemFault Read(ulong address, Span<byte> destination) => Syscalls.ShmRead(Proc, address, destination);

    /// <inheritdoc />
    public MemFault Write(ulong address, ReadOnlySpan<byte> source) => Syscalls.ShmWrite(Proc, address, source);

    /// <inheritdoc />
    public IpcResult<int> SemGet(int key, int nsems, int flags) => Map(Syscalls.SemGet(Proc, key, nsems, flags), id => id);

    /// <inheritdoc />
    public IpcResult SemOp(int semid, ReadOnlySpan<SemBuf> operations) =>
        Status(Syscalls.SemOp(Proc, semid, operations, Wait));

    /// <inheritdoc />
    public IpcResult<int> SemGetCount(int semid, int semnum, SemCountQuery query)
    {
        var cmd = query switch
        {
            SemCountQuery.Value => IpcConstants.GETVAL,
            SemCountQuery.WaitingForIncrease => IpcConstants.GETNCNT,
            _ => IpcConstants.GETZCNT,
        };
        return Map(Syscalls.SemCtl(Proc, semid, semnum, cmd, new SemUn()), v => v);
    }

    /// <inheritdoc />
    public IpcResult<PidClass> SemGetPid(int semid, int semnum) =>
        Map(Syscalls.SemCtl(Proc, semid, semnum, IpcConstants.GETPID, new SemUn()), Pid);

    /// <inheritdoc />
    public IpcResult<ushort[]> SemGetAll(int semid, int semnum)
    {
        var nsems = PeekSem(semid)?.Nsems ?? 0;
        var arg = new SemUn { Array = new ushort[nsems] };
        return Map(Syscalls.SemCtl(Proc, semid, semnum, IpcConstants.GETALL, arg), _ => arg.Array);
    }

    /// <inheritdoc />
    public IpcResult SemSetValue(int semid, int semnum, int value) =>
        Status(Syscalls.SemCtl(Proc, semid, semnum, IpcConstants.SETVAL, new SemUn { Val = value }).Error);

    /// <inheritdoc />
    public IpcResult SemSetAll(int semid, int semnum, ushort[] values) =>
        Status(Syscalls.SemCtl(Proc, semid, semnum, IpcConstants.SETALL, new SemUn { Array = values }).Error);

    /// <inheritdoc />
    public IpcResult<SemStat> SemStat(int semid, int semnum)
    {
        var arg = new SemUn();
        return Map(Syscalls.SemCtl(Proc, semid, semnum, IpcConstants.IPC_STAT, arg), _ => Convert(arg.Buf));
    }

    /// <inheritdoc />
    public IpcResult SemSet(int semid, int semnum, uint uid, uint gid, int mode)
    {
        var arg = new SemUn { Buf = default(SemidDs) with { Perm = new IpcPerm(0, 0, uid, gid, mode, 0, 0) } };
        return Status(Syscalls.SemCtl(Proc, semid, semnum, IpcConstants.IPC_SET, arg).Error);
    }

    /// <inheritdoc />
    public IpcResult SemRemove(int semid, int semnum) =>
        Status(Syscalls.SemCtl(Proc, semid, semnum, IpcConstants.IPC_RMID, new SemUn()).Error);

    /// <inheritdoc />
    public IpcResult<int> SemControl(int semid, int semnum, int cmd) =>
        Map(Syscalls.SemCtl(Proc, semid, semnum, cmd, new SemUn { Array = new ushort[RawBufferBytes / sizeof(ushort)] }), v => v);

    /// <inheritdoc />
    public SemStat? PeekSem(int semid) => AsRoot(() => SemStat(semid, 0) is { Ok: true } r ? r.Value : null);

    /// <inheritdoc />
    public IpcResult<int> MsgGet(int key, int flags) => Map(Syscalls.MsgGet(Proc, key, flags), id => id);

    /// <inheritdoc />
    public IpcResult MsgSnd(int msqid, long type, ReadOnlySpan<byte> body, ulong msgsz, int flags) =>
        Status(Syscalls.MsgSnd(Proc, msqid, type, body, msgsz, flags, Wait));

    /// <inheritdoc />
    public IpcResult<MsgReceived> MsgRcv(int msqid, ulong msgsz, int bufferSize, long msgtyp, int flags)
    {
        var buffer = new byte[bufferSize];
        var r = Syscalls.MsgRcv(Proc, msqid, buffer, msgsz, msgtyp, flags, out var mtype, Wait);
        return Map(r, length => new MsgReceived(length, mtype, buffer[..Math.Clamp(length, 0, buffer.Length)]));
    }

    /// <inheritdoc />
    public IpcResult<MsgStat> MsgStat(int msqid)
    {
        var buf = default(MsqidDs);
        var r = Syscalls.MsgCtl(Proc, msqid, IpcConstants.IPC_STAT, ref buf);
        return r.Ok ? IpcResult<MsgStat>.Success(Convert(buf)) : Status(r.Error);
    }

    /// <inheritdoc />
    public IpcResult MsgSet(int msqid, uint uid, uint gid, int mode, ulong qbytes)
    {
        var buf = default(MsqidDs) with { Perm = new IpcPerm(0, 0, uid, gid, mode, 0, 0), Qbytes = qbytes };
        return Status(Syscalls.MsgCtl(Proc, msqid, IpcConstants.IPC_SET, ref buf).Error);
    }

    /// <inheritdoc />
    public IpcResult MsgRemove(int msqid)
    {
        var buf = default(MsqidDs);
        return Status(Syscalls.MsgCtl(Proc, msqid, IpcConstants.IPC_RMID, ref buf).Error);
    }

    /// <inheritdoc />
    public IpcResult<int> MsgControl(int msqid, int cmd)
    {
        var buf = default(MsqidDs);
        return Map(Syscalls.MsgCtl(Proc, msqid, cmd, ref buf), v => v);
    }

    /// <inheritdoc />
    public MsgStat? PeekMsg(int msqid) => AsRoot(() => MsgStat(msqid) is { Ok: true } r ? r.Value : null);

    /// <inheritdoc />
    public IpcResult SetUid(uint uid)
    {
        var toRoot = Syscalls.SetUid(Proc, 0);
        return Status(toRoot != Errno.OK ? toRoot : Syscalls.SetUid(Proc, uid));
    }

    /// <inheritdoc />
    public IpcResult SetGid(uint gid) => AsRoot(() => Status(Syscalls.SetGid(Proc, gid)));

    /// <inheritdoc />
    public IpcResult SetLimit(string name, long value) =>
        Status(Syscalls.SysctlWrite(Proc, "kern.ipc." + name, value.ToString(System.Globalization.CultureInfo.InvariantCulture)));
}
