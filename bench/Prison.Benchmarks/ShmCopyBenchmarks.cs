using System.Runtime.Versioning;
using BenchmarkDotNet.Attributes;
using Prison.Benchmarks.Infrastructure;
using Prison.Core.Ipc;
using Prison.IpcScript.Linux;
using static Prison.Core.Ipc.IpcConstants;

namespace Prison.Benchmarks;

/// <summary>
/// Reading and writing <see cref="Size"/> bytes through a shm attachment. Baseline: <c>Span.CopyTo</c>
/// between two managed arrays (the memcpy floor). Against it: Prison's loads and stores through the
/// process's simulated address space, and a copy to or from memory the Linux kernel shmat'd (which is
/// memcpy into real shared pages). Target: Prison at least 0.8x memcpy's speed, i.e. a ratio at most 1.25.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(KernelIpcConfig))]
[SupportedOSPlatform("linux")]
public unsafe class ShmCopyBenchmarks
{
    private const string Read = "Read";
    private const string Write = "Write";
    private byte[] _buffer = [];
    private byte[] _segmentStandIn = [];
    private PrisonIpcKernel? _prison;
    private ulong _prisonAddress;
    private int _kernelId = -1;
    private nint _kernelAddress = -1;

    [Params(4096, 1 << 20)]
    public int Size { get; set; }

    [GlobalSetup(Targets = [nameof(MemcpyRead), nameof(MemcpyWrite)])]
    public void SetupMemcpy()
    {
        _buffer = new byte[Size];
        _segmentStandIn = new byte[Size];
        Random.Shared.NextBytes(_segmentStandIn);
    }

    [GlobalSetup(Targets = [nameof(PrisonRead), nameof(PrisonWrite)])]
    public void SetupPrison()
    {
        _buffer = new byte[Size];
        _prison = new PrisonIpcKernel(null, "sysvshm");
        var k = _prison.Kernel;
        var id = k.Syscalls.ShmGet(_prison.Proc, IPC_PRIVATE, (ulong)Size, 0x180).Value;
        _prisonAddress = k.Syscalls.ShmAt(_prison.Proc, id, 0, 0).Value;
    }

    [GlobalSetup(Targets = [nameof(LinuxShmatRead), nameof(LinuxShmatWrite)])]
    public void SetupKernel()
    {
        _buffer = new byte[Size];
        PrivateIpcNamespace.Enter();
        _kernelId = LinuxNative.ShmGet(0, (nuint)Size, 0x180);
        if (_kernelId < 0)
            throw new InvalidOperationException("shmget: " + LinuxErrno.Name(LinuxNative.Errno));
        _kernelAddress = LinuxNative.ShmAt(_kernelId, 0, 0);
        if (_kernelAddress == -1)
            throw new InvalidOperationException("shmat: " + LinuxErrno.Name(LinuxNative.Errno));
        new Span<byte>((void*)_kernelAddress, Size).Fill(1); // fault every page in before measuring
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _prison?.Dispose();
        if (_kernelAddress != -1)
            LinuxNative.ShmDt(_kernelAddress);
        if (_kernelId >= 0)
            LinuxNative.ShmCtl(_kernelId, LinuxNative.IPC_RMID, null);
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory(Read)]
    public void MemcpyRead() => _segmentStandIn.AsSpan().CopyTo(_buffer);

    [Benchmark]
    [BenchmarkCategory(Read)]
    public void PrisonRead()
    {
        if (_prison!.Kernel.Syscalls.ShmRead(_prison.Proc, _prisonAddress, _buffer) != MemFault.None)
            throw new InvalidOperationException("load faulted");
    }

    [Benchmark]
    [BenchmarkCategory(Read)]
    [KernelBaseline]
    public void LinuxShmatRead() => new ReadOnlySpan<byte>((void*)_kernelAddress, Size).CopyTo(_buffer);

    [Benchmark(Baseline = true)]
    [BenchmarkCategory(Write)]
    public void MemcpyWrite() => _buffer.AsSpan().CopyTo(_segmentStandIn);

    [Benchmark]
    [BenchmarkCategory(Write)]
    public void PrisonWrite()
    {
        if (_prison!.Kernel.Syscalls.ShmWrite(_prison.Proc, _prisonAddress, _buffer) != MemFault.None)
            throw new InvalidOperationException("store faulted");
    }

    [Benchmark]
    [BenchmarkCategory(Write)]
    [KernelBaseline]
    public void LinuxShmatWrite() => _buffer.AsSpan().CopyTo(new Span<byte>((void*)_kernelAddress, Size));
}
