using Prison.Core.Ipc;
using static Prison.IpcScript.Linux.LinuxLayout;
using N = Prison.IpcScript.Linux.LinuxNative;

namespace Prison.IpcScript.Linux;

/// <summary>Shared memory on Linux.</summary>
public sealed unsafe partial class LinuxBackend
{
    /// <inheritdoc />
    public IpcResult<int> ShmGet(int key, ulong size, int flags)
    {
        var id = N.ShmGet(key, (nuint)size, flags);
        return Value(id, id);
    }

    /// <inheritdoc />
    public IpcResult<ulong> ShmAt(int shmid, ulong address, int flags, IpcRange? reusing)
    {
        // A detached attachment's range is held by a PROT_NONE mapping; Linux refuses shmat over an
        // existing mapping without SHM_REMAP, so the reservation is lifted for the call.
        if (reusing is { } range)
            N.Munmap((nint)range.Start, (nuint)range.Length);
        var at = N.ShmAt(shmid, (nint)address, flags);
        if (at == -1)
        {
            var failed = LastError();
            if (reusing is { } keep)
                Reserve(keep);
            return failed;
        }
        return IpcResult<ulong>.Success((ulong)at);
    }

    /// <inheritdoc />
    public IpcResult ShmDt(ulong address, IpcRange reserve)
    {
        if (N.ShmDt((nint)address) != 0)
            return LastError();
        Reserve(reserve);
        return IpcResult.Success;
    }

    /// <summary>Maps <paramref name="range"/> with no access so no later plain shmat lands there.</summary>
    private static void Reserve(IpcRange range) =>
        N.Mmap((nint)range.Start, (nuint)range.Length, N.PROT_NONE,
            N.MAP_PRIVATE | N.MAP_ANONYMOUS | N.MAP_NORESERVE | N.MAP_FIXED_NOREPLACE, -1, 0);

    private ShmStat ToShmStat(byte[] b) =>
        new(Perm(b), (U32(b, PermMode) & ShmDest) != 0, U64(b, ShmSegsz), U64(b, ShmNattch), Pid(I32(b, ShmCpid)), Pid(I32(b, ShmLpid)),
            U64(b, ShmAtime) != 0, U64(b, ShmDtime) != 0, U64(b, ShmCtime) != 0);

    /// <inheritdoc />
    public IpcResult<ShmStat> ShmStat(int shmid) =>
        WithBuffer(p => N.ShmCtl(shmid, N.IPC_STAT, (byte*)p), (b, _) => ToShmStat(b));

    /// <inheritdoc />
    public IpcResult ShmSet(int shmid, uint uid, uint gid, int mode) =>
        WithBuffer(p => N.ShmCtl(shmid, N.IPC_SET, (byte*)p), (_, r) => r, b => PutPerm(b, uid, gid, mode)).Status;

    /// <inheritdoc />
    public IpcResult ShmRemove(int shmid) => Status(N.ShmCtl(shmid, N.IPC_RMID, null));

    /// <inheritdoc />
    public IpcResult<int> ShmControl(int shmid, int cmd) => WithBuffer(p => N.ShmCtl(shmid, cmd, (byte*)p), (_, r) => r);

    /// <inheritdoc />
    public ShmStat? PeekShm(int shmid) => AsRoot(() => ShmStat(shmid) is { Ok: true } r ? r.Value : null);

    /// <inheritdoc />
    public MemFault Read(ulong address, Span<byte> destination)
    {
        new ReadOnlySpan<byte>((void*)address, destination.Length).CopyTo(destination);
        return MemFault.None;
    }

    /// <inheritdoc />
    public MemFault Write(ulong address, ReadOnlySpan<byte> source)
    {
        source.CopyTo(new Span<byte>((void*)address, source.Length));
        return MemFault.None;
    }
}
