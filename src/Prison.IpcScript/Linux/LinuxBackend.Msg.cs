using System.Buffers.Binary;
using static Prison.IpcScript.Linux.LinuxLayout;
using N = Prison.IpcScript.Linux.LinuxNative;

namespace Prison.IpcScript.Linux;

/// <summary>Message queues on Linux.</summary>
public sealed unsafe partial class LinuxBackend
{
    /// <inheritdoc />
    public IpcResult<int> MsgGet(int key, int flags)
    {
        var id = N.MsgGet(key, flags);
        return Value(id, id);
    }

    /// <inheritdoc />
    public IpcResult MsgSnd(int msqid, long type, ReadOnlySpan<byte> body, ulong msgsz, int flags)
    {
        // struct msgbuf { long mtype; char mtext[]; }
        var buffer = new byte[sizeof(long) + body.Length];
        BinaryPrimitives.WriteInt64LittleEndian(buffer, type);
        body.CopyTo(buffer.AsSpan(sizeof(long)));
        int ret;
        fixed (byte* p = buffer)
            ret = N.MsgSnd(msqid, p, (nuint)msgsz, flags | IpcNoWait);
        if (ret == 0)
            return IpcResult.Success;
        var errno = N.Errno;
        // With IPC_NOWAIT added, EAGAIN means exactly "the queue is full": the script's call would sleep.
        return errno == LinuxErrno.EAGAIN && (flags & IpcNoWait) == 0 ? IpcResult.Blocked : IpcResult.Fail(LinuxErrno.Name(errno));
    }

    /// <inheritdoc />
    public IpcResult<MsgReceived> MsgRcv(int msqid, ulong msgsz, int bufferSize, long msgtyp, int flags)
    {
        var buffer = new byte[sizeof(long) + bufferSize];
        // MSG_COPY without IPC_NOWAIT is refused at once (EINVAL); adding the flag would hide that.
        var nowait = (flags & MsgCopy) != 0 ? flags : flags | IpcNoWait;
        nint ret;
        fixed (byte* p = buffer)
            ret = N.MsgRcv(msqid, p, (nuint)msgsz, (nint)msgtyp, nowait);
        if (ret == -1)
        {
            var errno = N.Errno;
            return errno == LinuxErrno.ENOMSG && (flags & IpcNoWait) == 0 && (flags & MsgCopy) == 0
                ? IpcResult.Blocked
                : IpcResult.Fail(LinuxErrno.Name(errno));
        }
        var length = (int)ret;
        var mtype = BinaryPrimitives.ReadInt64LittleEndian(buffer);
        return IpcResult<MsgReceived>.Success(new MsgReceived(length, mtype, buffer.AsSpan(sizeof(long), Math.Min(length, bufferSize)).ToArray()));
    }

    /// <inheritdoc />
    public IpcResult<MsgStat> MsgStat(int msqid) =>
        WithBuffer(p => N.MsgCtl(msqid, N.IPC_STAT, (byte*)p), (b, _) => new MsgStat(Perm(b), U64(b, MsgQnum), U64(b, MsgQbytes), U64(b, MsgCbytes),
            Pid(I32(b, MsgLspid)), Pid(I32(b, MsgLrpid)), U64(b, MsgStime) != 0, U64(b, MsgRtime) != 0, U64(b, MsgCtime) != 0));

    /// <inheritdoc />
    public IpcResult MsgSet(int msqid, uint uid, uint gid, int mode, ulong qbytes) =>
        WithBuffer(p => N.MsgCtl(msqid, N.IPC_SET, (byte*)p), (_, r) => r, b =>
        {
            PutPerm(b, uid, gid, mode);
            Put64(b, MsgQbytes, qbytes);
        }).Status;

    /// <inheritdoc />
    public IpcResult MsgRemove(int msqid) => Status(N.MsgCtl(msqid, N.IPC_RMID, null));

    /// <inheritdoc />
    public IpcResult<int> MsgControl(int msqid, int cmd) => WithBuffer(p => N.MsgCtl(msqid, cmd, (byte*)p), (_, r) => r);

    /// <inheritdoc />
    public MsgStat? PeekMsg(int msqid) => AsRoot(() => MsgStat(msqid) is { Ok: true } r ? r.Value : null);
}
