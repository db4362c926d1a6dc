using System.Runtime.Versioning;
using BenchmarkDotNet.Attributes;
using Prison.Benchmarks.Infrastructure;
using Prison.Core;
using Prison.Core.Ipc;
using Prison.Core.Procs;
using Prison.IpcScript.Linux;
using static Prison.Core.Ipc.IpcConstants;

namespace Prison.Benchmarks;

/// <summary>
/// Scaling across jails that share nothing: 1 or 2 threads, each a process in its own jail
/// (<c>sysvsem=new sysvmsg=new sysvshm=new</c>) working on its own object, each doing
/// <see cref="OpsPerThread"/> operations. The mean is per operation of one thread, so perfect scaling
/// keeps it flat from 1 to 2 threads (target: 2-thread throughput at least 1.8x the 1-thread one on 2 cores).
/// Kernel baseline: the same on Linux, each thread in its own IPC namespace (unshare(CLONE_NEWIPC) on that
/// thread), which is what two processes in two namespaces get from the kernel.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(KernelIpcConfig))]
[SupportedOSPlatform("linux")]
public unsafe class DisjointJailsBenchmarks
{
    private const int OpsPerThread = 20_000;
    private const int MsgSize = 64;
    private const int StoreSize = 64;
    private static readonly SemBuf[] Up = [new(0, 1, 0)];
    private static readonly SemBuf[] Down = [new(0, -1, 0)];
    private PrisonIpcKernel? _prison;
    private WorkerGang? _gang;
    private nint[] _linuxAddresses = [];

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup(Targets = [nameof(PrisonSemop), nameof(PrisonMsg), nameof(PrisonShmStore)])]
    public void SetupPrison()
    {
        _prison = new PrisonIpcKernel();
        var k = _prison.Kernel;
        var procs = new Proc[Threads];
        var sems = new int[Threads];
        var queues = new int[Threads];
        var addresses = new ulong[Threads];
        for (var i = 0; i < Threads; i++)
        {
            procs[i] = i == 0 ? _prison.Proc : _prison.RootIn(_prison.NewJail("disjoint" + i));
            sems[i] = k.Syscalls.SemGet(procs[i], IPC_PRIVATE, 1, 0x180).Value;
            queues[i] = k.Syscalls.MsgGet(procs[i], IPC_PRIVATE, 0x180).Value;
            var shm = k.Syscalls.ShmGet(procs[i], IPC_PRIVATE, 4096, 0x180).Value;
            addresses[i] = k.Syscalls.ShmAt(procs[i], shm, 0, 0).Value;
        }
        _prisonWork = (i, kind) =>
        {
            var p = procs[i];
            switch (kind)
            {
                case Kind.Sem:
                    for (var n = 0; n < OpsPerThread; n++)
                    {
                        if (k.Syscalls.SemOp(p, sems[i], Up) != Errno.OK || k.Syscalls.SemOp(p, sems[i], Down) != Errno.OK)
                            throw new InvalidOperationException("semop failed");
                    }
                    break;
                case Kind.Msg:
                    var text = new byte[MsgSize];
                    var received = new byte[MsgSize];
                    for (var n = 0; n < OpsPerThread; n++)
                    {
                        if (k.Syscalls.MsgSnd(p, queues[i], 1, text, MsgSize, 0) != Errno.OK
                            || k.Syscalls.MsgRcv(p, queues[i], received, MsgSize, 0, 0, out _) is not { Ok: true })
                            throw new InvalidOperationException("msgsnd/msgrcv failed");
                    }
                    break;
                default:
                    var bytes = new byte[StoreSize];
                    for (var n = 0; n < OpsPerThread; n++)
                    {
                        if (k.Syscalls.ShmWrite(p, addresses[i] + (ulong)(n % 64 * StoreSize), bytes) != MemFault.None)
                            throw new InvalidOperationException("shm store faulted");
                    }
                    break;
            }
        };
        _gang = new WorkerGang(Threads, _ => { }, i => _prisonWork(i, _kind));
    }

    [GlobalSetup(Targets = [nameof(LinuxSemop), nameof(LinuxMsg), nameof(LinuxShmStore)])]
    public void SetupKernel()
    {
        var sems = new int[Threads];
        var queues = new int[Threads];
        var addresses = new nint[Threads];
        _linuxAddresses = addresses;
        _gang = new WorkerGang(Threads, i =>
        {
            // Each worker in its own IPC namespace, with its own objects.
            PrivateIpcNamespace.Enter();
            sems[i] = LinuxNative.SemGet(0, 1, 0x180);
            queues[i] = LinuxNative.MsgGet(0, 0x180);
            var shm = LinuxNative.ShmGet(0, 4096, 0x180);
            addresses[i] = LinuxNative.ShmAt(shm, 0, 0);
            // Marked for removal now: the segment goes when the thread's namespace does.
            LinuxNative.ShmCtl(shm, LinuxNative.IPC_RMID, null);
            if (sems[i] < 0 || queues[i] < 0 || addresses[i] == -1)
                throw new InvalidOperationException("linux setup: " + LinuxErrno.Name(LinuxNative.Errno));
        }, i => LinuxWork(i, sems[i], queues[i], addresses[i]));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _gang?.Dispose();
        _prison?.Dispose();
        // The mappings belong to the process, not to the threads' namespaces.
        foreach (var a in _linuxAddresses)
        {
            if (a is not 0 and not -1)
                LinuxNative.ShmDt(a);
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = OpsPerThread)]
    [BenchmarkCategory("semop")]
    [KernelBaseline]
    public void LinuxSemop() => RunAll(Kind.Sem);

    [Benchmark(OperationsPerInvoke = OpsPerThread)]
    [BenchmarkCategory("semop")]
    public void PrisonSemop() => RunAll(Kind.Sem);

    [Benchmark(Baseline = true, OperationsPerInvoke = OpsPerThread)]
    [BenchmarkCategory("msgsnd+msgrcv")]
    [KernelBaseline]
    public void LinuxMsg() => RunAll(Kind.Msg);

    [Benchmark(OperationsPerInvoke = OpsPerThread)]
    [BenchmarkCategory("msgsnd+msgrcv")]
    public void PrisonMsg() => RunAll(Kind.Msg);

    [Benchmark(Baseline = true, OperationsPerInvoke = OpsPerThread)]
    [BenchmarkCategory("shm store")]
    [KernelBaseline]
    public void LinuxShmStore() => RunAll(Kind.Shm);

    [Benchmark(OperationsPerInvoke = OpsPerThread)]
    [BenchmarkCategory("shm store")]
    public void PrisonShmStore() => RunAll(Kind.Shm);

    private Kind _kind;
    private Action<int, Kind> _prisonWork = (_, _) => { };

    private enum Kind
    {
        Sem,
        Msg,
        Shm,
    }

    /// <summary>
    /// Every thread does <see cref="OpsPerThread"/> operations; the mean is per thread-operation round,
    /// so throughput with N threads is N / mean.
    /// </summary>
    private void RunAll(Kind kind)
    {
        _kind = kind;
        _gang!.Run();
    }

    private void LinuxWork(int i, int sem, int queue, nint address)
    {
        switch (_kind)
        {
            case Kind.Sem:
                var up = new LinuxSemBuf(0, 1, 0);
                var down = new LinuxSemBuf(0, -1, 0);
                for (var n = 0; n < OpsPerThread; n++)
                {
                    if (LinuxNative.SemOp(sem, (byte*)&up, 1) != 0 || LinuxNative.SemOp(sem, (byte*)&down, 1) != 0)
                        throw new InvalidOperationException("semop: " + LinuxErrno.Name(LinuxNative.Errno));
                }
                break;
            case Kind.Msg:
                var message = stackalloc byte[sizeof(long) + MsgSize];
                *(long*)message = 1;
                for (var n = 0; n < OpsPerThread; n++)
                {
                    if (LinuxNative.MsgSnd(queue, message, MsgSize, 0) != 0 || LinuxNative.MsgRcv(queue, message, MsgSize, 0, 0) != MsgSize)
                        throw new InvalidOperationException("msgsnd/msgrcv: " + LinuxErrno.Name(LinuxNative.Errno));
                }
                break;
            default:
                var bytes = stackalloc byte[StoreSize];
                for (var n = 0; n < OpsPerThread; n++)
                    new Span<byte>(bytes, StoreSize).CopyTo(new Span<byte>((byte*)address + (n % 64 * StoreSize), StoreSize));
                break;
        }
        _ = i;
    }
}
