using System.Runtime.Versioning;
using BenchmarkDotNet.Attributes;
using Prison.Benchmarks.Infrastructure;
using Prison.Core;
using Prison.Core.Ipc;
using Prison.IpcScript.Linux;
using static Prison.Core.Ipc.IpcConstants;

namespace Prison.Benchmarks;

/// <summary>
/// <c>msgsnd</c> of a 64-byte message and the <c>msgrcv</c> that takes it back, on an otherwise empty
/// queue: Prison against libc in a private IPC namespace (the baseline). Target: ratio at most 0.05.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(KernelIpcConfig))]
[SupportedOSPlatform("linux")]
public unsafe class MsgBenchmarks
{
    private const int Size = 64;
    private readonly byte[] _text = new byte[Size];
    private readonly byte[] _received = new byte[Size];
    private readonly byte[] _nativeMessage = new byte[sizeof(long) + Size]; // struct msgbuf { long mtype; char mtext[64]; }
    private PrisonIpcKernel? _prison;
    private int _prisonId;
    private int _kernelId = -1;

    [GlobalSetup(Target = nameof(PrisonSendReceive))]
    public void SetupPrison()
    {
        _prison = new PrisonIpcKernel(null, "sysvmsg");
        _prisonId = _prison.Kernel.Syscalls.MsgGet(_prison.Proc, IPC_PRIVATE, 0x180).Value;
    }

    [GlobalSetup(Target = nameof(LinuxSendReceive))]
    public void SetupKernel()
    {
        PrivateIpcNamespace.Enter();
        _kernelId = LinuxNative.MsgGet(0, 0x180);
        if (_kernelId < 0)
            throw new InvalidOperationException("msgget: " + LinuxErrno.Name(LinuxNative.Errno));
        _nativeMessage[0] = 1; // mtype 1
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _prison?.Dispose();
        if (_kernelId >= 0)
            LinuxNative.MsgCtl(_kernelId, LinuxNative.IPC_RMID, null);
    }

    [Benchmark(Baseline = true)]
    [KernelBaseline]
    public void LinuxSendReceive()
    {
        fixed (byte* m = _nativeMessage)
        {
            if (LinuxNative.MsgSnd(_kernelId, m, Size, 0) != 0 || LinuxNative.MsgRcv(_kernelId, m, Size, 0, 0) != Size)
                throw new InvalidOperationException("msgsnd/msgrcv: " + LinuxErrno.Name(LinuxNative.Errno));
        }
    }

    [Benchmark]
    public void PrisonSendReceive()
    {
        var k = _prison!.Kernel;
        if (k.Syscalls.MsgSnd(_prison.Proc, _prisonId, 1, _text, Size, 0) != Errno.OK
            || k.Syscalls.MsgRcv(_prison.Proc, _prisonId, _received, Size, 0, 0, out _) is not { Ok: true, Value: Size })
            throw new InvalidOperationException("msgsnd/msgrcv failed");
    }
}
