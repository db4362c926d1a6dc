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
/// One hot set: 2 threads (2 processes of one jail) doing semop +1 / -1 on the same semaphore, each
/// <see cref="OpsPerThread"/> pairs; the mean is per pair over both threads (throughput = 2 / mean). Fairness
/// is printed at cleanup: when the first thread finished, how far the other had got (1.00 = even).
/// Kernel baseline: the same with 2 threads on one Linux set in a private IPC namespace.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(KernelIpcConfig))]
[SupportedOSPlatform("linux")]
public unsafe class HotSetBenchmarks
{
    private const int Threads = 2;
    private const int OpsPerThread = 20_000;
    private static readonly SemBuf[] Up = [new(0, 1, 0)];
    private static readonly SemBuf[] Down = [new(0, -1, 0)];
    private readonly int[] _progress = new int[Threads];
    private PrisonIpcKernel? _prison;
    private WorkerGang? _gang;
    private int _finished;
    private double _fairnessSum;
    private int _rounds;
    private string _name = "";

    [GlobalSetup(Target = nameof(PrisonHotSet))]
    public void SetupPrison()
    {
        _name = "prison";
        _prison = new PrisonIpcKernel(null, "sysvsem");
        var k = _prison.Kernel;
        var id = k.Syscalls.SemGet(_prison.Proc, IPC_PRIVATE, 1, 0x180).Value;
        var procs = new Proc[] { _prison.Proc, _prison.RootIn(_prison.Jail) };
        _gang = new WorkerGang(Threads, _ => { }, i =>
        {
            for (var n = 0; n < OpsPerThread; n++)
            {
                if (k.Syscalls.SemOp(procs[i], id, Up) != Errno.OK || k.Syscalls.SemOp(procs[i], id, Down) != Errno.OK)
                    throw new InvalidOperationException("semop failed");
                Volatile.Write(ref _progress[i], n + 1);
            }
            Finished();
        });
    }

    [GlobalSetup(Target = nameof(LinuxHotSet))]
    public void SetupKernel()
    {
        _name = "linux";
        // Workers started after unshare share this thread's private namespace (namespaces are per thread,
        // and a new thread starts in its creator's).
        PrivateIpcNamespace.Enter();
        var id = LinuxPingPong.CreateSet();
        _gang = new WorkerGang(Threads, _ => { }, i =>
        {
            var up = new LinuxSemBuf(0, 1, 0);
            var down = new LinuxSemBuf(0, -1, 0);
            for (var n = 0; n < OpsPerThread; n++)
            {
                if (LinuxNative.SemOp(id, (byte*)&up, 1) != 0 || LinuxNative.SemOp(id, (byte*)&down, 1) != 0)
                    throw new InvalidOperationException("semop: " + LinuxErrno.Name(LinuxNative.Errno));
                Volatile.Write(ref _progress[i], n + 1);
            }
            Finished();
        });
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _gang?.Dispose();
        _prison?.Dispose();
        if (_rounds > 0)
            Console.WriteLine($"// hot set fairness ({_name}): {_fairnessSum / _rounds:F2} (other thread's progress when the first finished, mean of {_rounds} runs)");
    }

    [IterationSetup]
    public void Reset()
    {
        _progress[0] = _progress[1] = 0;
        _finished = 0;
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = OpsPerThread)]
    [KernelBaseline]
    public void LinuxHotSet() => _gang!.Run();

    [Benchmark(OperationsPerInvoke = OpsPerThread)]
    public void PrisonHotSet() => _gang!.Run();

    /// <summary>The first thread to finish records how far the other got.</summary>
    private void Finished()
    {
        if (Interlocked.Increment(ref _finished) != 1)
            return;
        var other = Math.Min(Volatile.Read(ref _progress[0]), Volatile.Read(ref _progress[1]));
        _fairnessSum += (double)other / OpsPerThread;
        _rounds++;
    }
}
