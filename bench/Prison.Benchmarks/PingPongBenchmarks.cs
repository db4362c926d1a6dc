using System.Diagnostics;
using System.Runtime.Versioning;
using BenchmarkDotNet.Attributes;
using Prison.Benchmarks.Infrastructure;
using Prison.Core;
using Prison.Core.Ipc;
using static Prison.Core.Ipc.IpcConstants;

namespace Prison.Benchmarks;

/// <summary>
/// A round trip through two semaphores with real blocking: the pinger posts semaphore 0 and sleeps on
/// semaphore 1; the ponger sleeps on 0 and posts 1. Prison: two threads, each a process in the same
/// jail. Linux (baseline): two processes, the second a child started under nsenter in the private IPC
/// namespace; and, for reference, two threads of this process. The mean is per round trip.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(KernelIpcConfig))]
[SupportedOSPlatform("linux")]
public class PingPongBenchmarks
{
    private const int RoundTrips = 1000;
    private static readonly SemBuf[] Ping = [new(0, 1, 0)];
    private static readonly SemBuf[] WaitPong = [new(1, -1, 0)];
    private static readonly SemBuf[] WaitPing = [new(0, -1, 0)];
    private static readonly SemBuf[] Pong = [new(1, 1, 0)];
    private PrisonIpcKernel? _prison;
    private int _prisonId;
    private int _linuxId = -1;
    private Thread? _ponger;
    private Process? _child;

    [GlobalSetup(Target = nameof(PrisonThreads))]
    public void SetupPrison()
    {
        _prison = new PrisonIpcKernel(null, "sysvsem");
        var k = _prison.Kernel;
        _prisonId = k.Syscalls.SemGet(_prison.Proc, IPC_PRIVATE, 2, 0x180).Value;
        var pongProc = _prison.RootIn(_prison.Jail);
        _ponger = new Thread(() =>
        {
            while (k.Syscalls.SemOp(pongProc, _prisonId, WaitPing) == Errno.OK && k.Syscalls.SemOp(pongProc, _prisonId, Pong) == Errno.OK)
            {
            }
        })
        { IsBackground = true, Name = "prison ponger" };
        _ponger.Start();
    }

    [GlobalSetup(Target = nameof(LinuxThreads))]
    public void SetupLinuxThreads()
    {
        PrivateIpcNamespace.Enter();
        _linuxId = LinuxPingPong.CreateSet();
        var id = _linuxId;
        // Started from this thread after unshare, so the new thread shares the private namespace.
        _ponger = new Thread(() => LinuxPingPong.Pong(id)) { IsBackground = true, Name = "linux ponger" };
        _ponger.Start();
    }

    [GlobalSetup(Target = nameof(LinuxProcesses))]
    public void SetupLinuxProcesses()
    {
        PrivateIpcNamespace.Enter();
        _linuxId = LinuxPingPong.CreateSet();
        _child = PongChild.Start(_linuxId);
        if (!LinuxPingPong.TryRoundTrip(_linuxId, TimeSpan.FromSeconds(30), () => !_child.HasExited))
            throw new InvalidOperationException($"the pong process never answered (exited: {_child.HasExited})");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        // Removing the set wakes the ponger with EIDRM, which ends its loop.
        if (_prison is not null)
            _prison.Kernel.Syscalls.SemCtl(_prison.Proc, _prisonId, 0, IPC_RMID);
        if (_linuxId >= 0)
            LinuxPingPong.Remove(_linuxId);
        _ponger?.Join(TimeSpan.FromSeconds(10));
        if (_child is not null && !_child.WaitForExit(10_000))
            _child.Kill();
        _child?.Dispose();
        _prison?.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = RoundTrips)]
    [KernelBaseline]
    public void LinuxProcesses()
    {
        for (var i = 0; i < RoundTrips; i++)
            LinuxPingPong.RoundTrip(_linuxId);
    }

    [Benchmark(OperationsPerInvoke = RoundTrips)]
    [KernelBaseline]
    public void LinuxThreads()
    {
        for (var i = 0; i < RoundTrips; i++)
            LinuxPingPong.RoundTrip(_linuxId);
    }

    [Benchmark(OperationsPerInvoke = RoundTrips)]
    public void PrisonThreads()
    {
        var k = _prison!.Kernel;
        var p = _prison.Proc;
        for (var i = 0; i < RoundTrips; i++)
        {
            if (k.Syscalls.SemOp(p, _prisonId, Ping) != Errno.OK || k.Syscalls.SemOp(p, _prisonId, WaitPong) != Errno.OK)
                throw new InvalidOperationException("semop failed");
        }
    }
}
