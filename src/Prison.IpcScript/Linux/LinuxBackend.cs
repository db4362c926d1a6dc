using System.Runtime.Versioning;
using Prison.Core.Ipc;
using static Prison.IpcScript.Linux.LinuxLayout;
using N = Prison.IpcScript.Linux.LinuxNative;

namespace Prison.IpcScript.Linux;

/// <summary>
/// Runs IPC script operations against the Linux kernel of the current process (the conformance
/// oracle; run it inside <c>unshare --ipc</c> so it starts from an empty namespace). Calls that would
/// sleep are detected without ever sleeping: msgsnd and msgrcv are made with IPC_NOWAIT, and a semop
/// refused with EAGAIN is replayed on the current values to see whose IPC_NOWAIT decided it.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed unsafe partial class LinuxBackend : IIpcBackend
{
    private static readonly int IpcNoWait = IpcPlatform.Linux.Value("IPC_NOWAIT")!.Value;
    private static readonly int MsgCopy = IpcPlatform.Linux.Value("MSG_COPY")!.Value;

    private readonly int _pid = N.GetPid();

    /// <inheritdoc />
    public IpcPlatform Platform => IpcPlatform.Linux;

    private static IpcResult LastError() => IpcResult.Fail(LinuxErrno.Name(N.Errno));

    private static IpcResult Status(long ret) => ret == -1 ? LastError() : IpcResult.Success;

    private static IpcResult<T> Value<T>(long ret, T value) => ret == -1 ? LastError() : IpcResult<T>.Success(value);

    private PidClass Pid(int pid) => pid == 0 ? PidClass.None : pid == _pid ? PidClass.Self : PidClass.Other;

    /// <summary>Runs <paramref name="read"/> with euid 0 and restores the euid after.</summary>
    private static T AsRoot<T>(Func<T> read)
    {
        var saved = N.GetEuid();
        if (saved == 0 || N.SetResUid(uint.MaxValue, 0, uint.MaxValue) != 0)
            return read();
        try
        {
            return read();
        }
        finally
        {
            N.SetResUid(uint.MaxValue, saved, uint.MaxValue);
        }
    }

    /// <summary>Calls a ctl function with a zeroed buffer; the buffer is handed to <paramref name="onSuccess"/>.</summary>
    private static IpcResult<T> WithBuffer<T>(Func<nint, int> call, Func<byte[], int, T> onSuccess, Action<byte[]>? fill = null)
    {
        var buffer = new byte[BufferBytes];
        fill?.Invoke(buffer);
        int ret;
        fixed (byte* p = buffer)
            ret = call((nint)p);
        return ret == -1 ? LastError() : IpcResult<T>.Success(onSuccess(buffer, ret));
    }

    /// <inheritdoc />
    public IpcResult SetUid(uint uid)
    {
        if (N.SetResUid(uint.MaxValue, 0, uint.MaxValue) != 0)
            return LastError();
        return Status(N.SetResUid(uint.MaxValue, uid, uint.MaxValue));
    }

    /// <inheritdoc />
    public IpcResult SetGid(uint gid) => AsRoot(() => Status(N.SetResGid(uint.MaxValue, gid, uint.MaxValue)));

    /// <inheritdoc />
    public IpcResult SetLimit(string name, long value)
    {
        var text = value.ToString(System.Globalization.CultureInfo.InvariantCulture);
        switch (name)
        {
            case "semvmx" or "semaem":
                // Fixed at 32767 on Linux.
                return value == 32767 ? IpcResult.Success : IpcResult.Fail("EINVAL");
            case "semmsl" or "semmns" or "semopm" or "semmni":
                var fields = File.ReadAllText("/proc/sys/kernel/sem").Split([' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries);
                fields[Array.IndexOf(["semmsl", "semmns", "semopm", "semmni"], name)] = text;
                return WriteProc("/proc/sys/kernel/sem", string.Join(' ', fields));
            default:
                return WriteProc("/proc/sys/kernel/" + name, text);
        }
    }

    private static IpcResult WriteProc(string path, string text)
    {
        var fd = N.Open(path, N.O_WRONLY);
        if (fd < 0)
            return LastError();
        try
        {
            var bytes = System.Text.Encoding.ASCII.GetBytes(text + "\n");
            fixed (byte* p = bytes)
                return Status(N.Write(fd, p, (nuint)bytes.Length));
        }
        finally
        {
            N.Close(fd);
        }
    }
}
