using System.Globalization;
using System.Runtime.Versioning;
using BenchmarkDotNet.Attributes;
using Prison.Benchmarks.Infrastructure;
using Prison.Core;
using Prison.Core.Ipc;
using Prison.IpcScript.Linux;
using static Prison.Core.Ipc.IpcConstants;

namespace Prison.Benchmarks;

/// <summary>
/// The cost of one semop (+1 then -1) and one msgsnd+msgrcv of 64 bytes on the caller's own object while
/// <see cref="Others"/> other objects exist elsewhere, with sleepers on them. "Others" counts semaphores
/// (in sets of 100) for semop and queues holding one message each for the message rows (capped at 30,000
/// queues: an id keeps a 16-bit index and msgseg is at most 32,767). Sleepers: min(Others, 16) threads
/// blocked on other sets and other queues. Target: the cost stays flat from 1 to 100,000. Kernel baseline:
/// the same population in a private IPC namespace.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(KernelIpcConfig))]
[SupportedOSPlatform("linux")]
public unsafe class PopulationBenchmarks
{
    private const int MsgSize = 64;
    private const int SetSize = 100;
    private const int MaxQueues = 30_000;
    private const int MaxSleepers = 16;
    private static readonly SemBuf[] Up = [new(0, 1, 0)];
    private static readonly SemBuf[] Down = [new(0, -1, 0)];
    private readonly byte[] _text = new byte[MsgSize];
    private readonly byte[] _received = new byte[MsgSize];
    private readonly byte[] _nativeMessage = new byte[sizeof(long) + MsgSize];
    private readonly List<Thread> _sleepers = [];
    private readonly List<int> _linuxSets = [];
    private readonly List<int> _linuxQueues = [];
    private PrisonIpcKernel? _prison;
    private int _sem;
    private int _queue;

    [Params(1, 1_000, 100_000)]
    public int Others { get; set; }

    private int Sets => (Others + SetSize - 1) / SetSize;

    private int Queues => Math.Min(Others, MaxQueues);

    private int SleeperCount => Math.Min(Others, MaxSleepers);

    [GlobalSetup(Targets = [nameof(PrisonSemop), nameof(PrisonMsg)])]
    public void SetupPrison()
    {
        var tunables = new Dictionary<string, string>
        {
            ["kern.ipc.semmni"] = Str(Sets + 10),
            ["kern.ipc.semmns"] = Str((Sets * SetSize) + 100),
            ["kern.ipc.msgmni"] = Str(Queues + 10),
            ["kern.ipc.msgtql"] = Str(Queues + 100),
            ["kern.ipc.msgseg"] = "32767",
        };
        _prison = new PrisonIpcKernel(tunables, "sysvsem", "sysvmsg");
        var k = _prison.Kernel;
        var jails = Enumerable.Range(0, Math.Min(Others, 10)).Select(i => _prison.RootIn(_prison.NewJail("other" + i))).ToArray();
        var otherSets = new List<int>();
        for (var left = Others; left > 0; left -= SetSize)
            otherSets.Add(Ok(k.Syscalls.SemGet(jails[otherSets.Count % jails.Length], IPC_PRIVATE, Math.Min(left, SetSize), 0x180)));
        var otherQueues = new List<int>();
        for (var i = 0; i < Queues; i++)
        {
            var owner = jails[i % jails.Length];
            var q = Ok(k.Syscalls.MsgGet(owner, IPC_PRIVATE, 0x180));
            if (k.Syscalls.MsgSnd(owner, q, 1, _text, 8, IPC_NOWAIT) != Errno.OK)
                throw new InvalidOperationException("msgsnd to another queue failed");
            otherQueues.Add(q);
        }
        for (var i = 0; i < SleeperCount; i++)
        {
            var p = _prison.RootIn(jails[i % jails.Length].Jail);
            var set = otherSets[i % otherSets.Count];
            var queue = otherQueues[i % otherQueues.Count];
            // Each sleeper waits on a semaphore no one posts, then on a message type no one sends; both end
            // with EIDRM when the kernel is disposed.
            Sleep(() =>
            {
                k.Syscalls.SemOp(p, set, [new SemBuf(0, -1, 0)]);
            });
            Sleep(() =>
            {
                k.Syscalls.MsgRcv(p, queue, new byte[8], 8, 999, 0, out _);
            });
        }
        _sem = Ok(k.Syscalls.SemGet(_prison.Proc, IPC_PRIVATE, 1, 0x180));
        _queue = Ok(k.Syscalls.MsgGet(_prison.Proc, IPC_PRIVATE, 0x180));
    }

    [GlobalSetup(Targets = [nameof(LinuxSemop), nameof(LinuxMsg)])]
    public void SetupKernel()
    {
        PrivateIpcNamespace.Enter();
        PrivateIpcNamespace.SetKernelLimit("msgmni", Queues + 10);
        for (var left = Others; left > 0; left -= SetSize)
            _linuxSets.Add(Check(LinuxNative.SemGet(0, Math.Min(left, SetSize), 0x180), "semget"));
        fixed (byte* m = _nativeMessage)
        {
            *(long*)m = 1;
            for (var i = 0; i < Queues; i++)
            {
                var q = Check(LinuxNative.MsgGet(0, 0x180), "msgget");
                Check(LinuxNative.MsgSnd(q, m, 8, 0), "msgsnd");
                _linuxQueues.Add(q);
            }
        }
        for (var i = 0; i < SleeperCount; i++)
        {
            var set = _linuxSets[i % _linuxSets.Count];
            var queue = _linuxQueues[i % _linuxQueues.Count];
            // Threads started here share this thread's private namespace.
            Sleep(() => LinuxPingPong.Op(set, 0, -1));
            Sleep(() =>
            {
                var buffer = stackalloc byte[sizeof(long) + 8];
                LinuxNative.MsgRcv(queue, buffer, 8, 999, 0);
            });
        }
        _sem = Check(LinuxNative.SemGet(0, 1, 0x180), "semget");
        _queue = Check(LinuxNative.MsgGet(0, 0x180), "msgget");
        _nativeMessage[0] = 1;
        _linuxSets.Add(_sem);
        _linuxQueues.Add(_queue);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        // Removing the objects (or the kernel) wakes every sleeper with EIDRM.
        _prison?.Dispose();
        foreach (var s in _linuxSets)
            LinuxNative.SemCtl(s, 0, LinuxNative.IPC_RMID, 0);
        foreach (var q in _linuxQueues)
            LinuxNative.MsgCtl(q, LinuxNative.IPC_RMID, null);
        foreach (var t in _sleepers)
            t.Join(TimeSpan.FromSeconds(10));
        _sleepers.Clear();
        _linuxSets.Clear();
        _linuxQueues.Clear();
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("semop")]
    [KernelBaseline]
    public void LinuxSemop()
    {
        if (!LinuxPingPong.Op(_sem, 0, 1) || !LinuxPingPong.Op(_sem, 0, -1))
            throw new InvalidOperationException("semop: " + LinuxErrno.Name(LinuxNative.Errno));
    }

    [Benchmark]
    [BenchmarkCategory("semop")]
    public void PrisonSemop()
    {
        var k = _prison!.Kernel;
        if (k.Syscalls.SemOp(_prison.Proc, _sem, Up) != Errno.OK || k.Syscalls.SemOp(_prison.Proc, _sem, Down) != Errno.OK)
            throw new InvalidOperationException("semop failed");
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("msgsnd+msgrcv")]
    [KernelBaseline]
    public void LinuxMsg()
    {
        fixed (byte* m = _nativeMessage)
        {
            if (LinuxNative.MsgSnd(_queue, m, MsgSize, 0) != 0 || LinuxNative.MsgRcv(_queue, m, MsgSize, 0, 0) != MsgSize)
                throw new InvalidOperationException("msgsnd/msgrcv: " + LinuxErrno.Name(LinuxNative.Errno));
        }
    }

    [Benchmark]
    [BenchmarkCategory("msgsnd+msgrcv")]
    public void PrisonMsg()
    {
        var k = _prison!.Kernel;
        if (k.Syscalls.MsgSnd(_prison.Proc, _queue, 1, _text, MsgSize, 0) != Errno.OK
            || k.Syscalls.MsgRcv(_prison.Proc, _queue, _received, MsgSize, 0, 0, out _) is not { Ok: true, Value: MsgSize })
            throw new InvalidOperationException("msgsnd/msgrcv failed");
    }

    private void Sleep(Action call)
    {
        var t = new Thread(() => call()) { IsBackground = true, Name = "population sleeper" };
        t.Start();
        _sleepers.Add(t);
    }

    private static int Ok(SysResult<int> r) => r.Ok ? r.Value : throw new InvalidOperationException("setup call failed: " + r);

    private static int Check(int r, string what) => r >= 0 ? r : throw new InvalidOperationException(what + ": " + LinuxErrno.Name(LinuxNative.Errno));

    private static string Str(int n) => n.ToString(CultureInfo.InvariantCulture);
}
