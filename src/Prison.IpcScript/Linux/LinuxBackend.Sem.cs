using System.Buffers.Binary;
using Prison.Core.Ipc;
using static Prison.IpcScript.Linux.LinuxLayout;
using N = Prison.IpcScript.Linux.LinuxNative;

namespace Prison.IpcScript.Linux;

/// <summary>Semaphores on Linux.</summary>
public sealed unsafe partial class LinuxBackend
{
    /// <inheritdoc />
    public IpcResult<int> SemGet(int key, int nsems, int flags)
    {
        var id = N.SemGet(key, nsems, flags);
        return Value(id, id);
    }

    /// <inheritdoc />
    public IpcResult SemOp(int semid, ReadOnlySpan<SemBuf> operations)
    {
        // struct sembuf { unsigned short sem_num; short sem_op; short sem_flg; }, every operation
        // made non-blocking so the call can never sleep.
        var buffer = new byte[Math.Max(1, operations.Length * 6)];
        for (var i = 0; i < operations.Length; i++)
        {
            var s = buffer.AsSpan(i * 6);
            BinaryPrimitives.WriteUInt16LittleEndian(s, operations[i].Num);
            BinaryPrimitives.WriteInt16LittleEndian(s[2..], operations[i].Op);
            BinaryPrimitives.WriteInt16LittleEndian(s[4..], unchecked((short)((ushort)operations[i].Flg | IpcNoWait)));
        }
        int ret;
        fixed (byte* p = buffer)
            ret = N.SemOp(semid, p, (nuint)operations.Length);
        if (ret == 0)
            return IpcResult.Success;
        var errno = N.Errno;
        if (errno == LinuxErrno.EAGAIN && WouldSleep(semid, operations))
            return IpcResult.Blocked;
        return IpcResult.Fail(LinuxErrno.Name(errno));
    }

    /// <summary>
    /// After an EAGAIN (nothing changed): replays the operations in order on the current values and
    /// reports whether the first one that cannot proceed lacked IPC_NOWAIT in the script.
    /// </summary>
    private bool WouldSleep(int semid, ReadOnlySpan<SemBuf> operations)
    {
        var current = AsRoot(() => SemGetAll(semid, 0));
        if (!current.Ok)
            return false;
        var values = current.Value.Select(v => (int)v).ToArray();
        foreach (var op in operations)
        {
            if (op.Num >= values.Length)
                return false;
            var value = values[op.Num];
            if ((op.Op == 0 && value != 0) || value + op.Op < 0)
                return (op.Flg & IpcNoWait) == 0;
            values[op.Num] = value + op.Op;
        }
        return false;
    }

    /// <inheritdoc />
    public IpcResult<int> SemGetCount(int semid, int semnum, SemCountQuery query)
    {
        var cmd = query switch
        {
            SemCountQuery.Value => N.GETVAL,
            SemCountQuery.WaitingForIncrease => N.GETNCNT,
            _ => N.GETZCNT,
        };
        var ret = N.SemCtl(semid, semnum, cmd, 0);
        return Value(ret, ret);
    }

    /// <inheritdoc />
    public IpcResult<PidClass> SemGetPid(int semid, int semnum)
    {
        var ret = N.SemCtl(semid, semnum, N.GETPID, 0);
        return Value(ret, ret == -1 ? PidClass.None : Pid(ret));
    }

    /// <inheritdoc />
    public IpcResult<ushort[]> SemGetAll(int semid, int semnum)
    {
        var nsems = (int)Math.Min(PeekSem(semid)?.Nsems ?? 0, 65536);
        var values = new ushort[Math.Max(nsems, BufferBytes / sizeof(ushort))];
        int ret;
        fixed (ushort* p = values)
            ret = N.SemCtl(semid, semnum, N.GETALL, (nint)p);
        return Value(ret, values[..nsems]);
    }

    /// <inheritdoc />
    public IpcResult SemSetValue(int semid, int semnum, int value) => Status(N.SemCtl(semid, semnum, N.SETVAL, value));

    /// <inheritdoc />
    public IpcResult SemSetAll(int semid, int semnum, ushort[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var buffer = new ushort[Math.Max(values.Length, BufferBytes / sizeof(ushort))];
        values.CopyTo(buffer, 0);
        fixed (ushort* p = buffer)
            return Status(N.SemCtl(semid, semnum, N.SETALL, (nint)p));
    }

    /// <inheritdoc />
    public IpcResult<SemStat> SemStat(int semid, int semnum) =>
        WithBuffer(p => N.SemCtl(semid, semnum, N.IPC_STAT, p),
            (b, _) => new SemStat(Perm(b), U64(b, SemNsems), U64(b, SemOtime) != 0, U64(b, SemCtime) != 0));

    /// <inheritdoc />
    public IpcResult SemSet(int semid, int semnum, uint uid, uint gid, int mode) =>
        WithBuffer(p => N.SemCtl(semid, semnum, N.IPC_SET, p), (_, r) => r, b => PutPerm(b, uid, gid, mode)).Status;

    /// <inheritdoc />
    public IpcResult SemRemove(int semid, int semnum) => Status(N.SemCtl(semid, semnum, N.IPC_RMID, 0));

    /// <inheritdoc />
    public IpcResult<int> SemControl(int semid, int semnum, int cmd) => WithBuffer(p => N.SemCtl(semid, semnum, cmd, p), (_, r) => r);

    /// <inheritdoc />
    public SemStat? PeekSem(int semid) => AsRoot(() => SemStat(semid, 0) is { Ok: true } r ? r.Value : null);
}
