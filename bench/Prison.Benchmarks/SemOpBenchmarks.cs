using System.Runtime.Versioning;
using BenchmarkDotNet.Attributes;
using Prison.Benchmarks.Infrastructure;
using Prison.Core;
using Prison.Core.Ipc;
using Prison.IpcScript.Linux;
using static Prison.Core.Ipc.IpcConstants;

namespace Prison.Benchmarks;

/// <summary>
/// An uncontended <c>semop</c> +1 then -1 (two calls per operation): Prison's in-process call through
/// the syscall table against libc's semop in a private IPC namespace (the baseline). Target: Prison at
/// least 20x faster, i.e. a ratio at most 0.05.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(KernelIpcConfig))]
[SupportedOSPlatform("linux")]
public unsafe class SemOpBenchmarks
{
    private static readonly SemBuf[] Up = [new(0, 1, 0)];
    private static readonly SemBuf[] Down = [new(0, -1, 0)];
    private PrisonIpcKernel? _prison;
    private int _prisonId;
    private int _kernelId = -1;

    [GlobalSetup(Target = nameof(PrisonSemop))]
    public void SetupPrison()
    {
        _prison = new PrisonIpcKernel(null, "sysvsem");
        _prisonId = _prison.Kernel.Syscalls.SemGet(_prison.Proc, IPC_PRIVATE, 1, 0x180).Value;
    }

    [GlobalSetup(Target = nameof(LinuxSemop))]
    public void SetupKernel()
    {
        PrivateIpcNamespace.Enter();
        _kernelId = LinuxNative.SemGet(0 /* IPC_PRIVATE */, 1, 0x180);
        if (_kernelId < 0)
            throw new InvalidOperationException("semget: " + LinuxErrno.Name(LinuxNative.Errno));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _prison?.Dispose();
        if (_kernelId >= 0)
            LinuxNative.SemCtl(_kernelId, 0, LinuxNative.IPC_RMID, 0);
    }

    [Benchmark(Baseline = true)]
    [KernelBaseline]
    public void LinuxSemop()
    {
        var up = new LinuxSemBuf(0, 1, 0);
        var down = new LinuxSemBuf(0, -1, 0);
        if (LinuxNative.SemOp(_kernelId, (byte*)&up, 1) != 0 || LinuxNative.SemOp(_kernelId, (byte*)&down, 1) != 0)
            throw new InvalidOperationException("semop: " + LinuxErrno.Name(LinuxNative.Errno));
    }

    [Benchmark]
    public void PrisonSemop()
    {
        var k = _prison!.Kernel;
        if (k.Syscalls.SemOp(_prison.Proc, _prisonId, Up) != Errno.OK || k.Syscalls.SemOp(_prison.Proc, _prisonId, Down) != Errno.OK)
            throw new InvalidOperationException("semop failed");
    }
}
