using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Prison.Core;
using Prison.Core.Jails;
using Prison.Core.Modules;
using Prison.Core.Procs;
using Prison.Core.Zfs;

namespace Prison.Reliability.Tests;

/// <summary>
/// One seeded whole-system stress run: jail churn, process attach and kill, module churn (the real
/// plugins loaded from their files), System V IPC and ZFS traffic with blocking calls and their
/// interruptions, all at once. Every call goes through <see cref="Sys{T}"/>, which turns an escaping
/// exception into a failure. The invariants are checked during the run and at its end.
/// </summary>
internal sealed partial class WholeSystemStress : IDisposable
{
    /// <summary>The modules the run loads from the plugins folder, by kind index.</summary>
    public static readonly string[] ModuleNames = ["sysvshm", "sysvsem", "sysvmsg", "zfs"];

    private const int Shm = 0, Sem = 1, Msg = 2, Zfs = 3;

    private readonly int _seed;
    private readonly StressBudget _budget;
    private readonly CapturingLoggerProvider _logs = new(LogLevel.Error);
    private readonly ILoggerFactory _loggerFactory;
    private readonly ConcurrentQueue<string> _failures = new();

    // Every jail the run created, by jid: jids are not reused within a run (they only grow), so a listed
    // creator jid names one jail for good.
    private readonly ConcurrentDictionary<int, Jail> _jails = new();

    // The processes IPC threads act as; killers exit them, which interrupts their blocked calls.
    private readonly ConcurrentDictionary<int, Proc> _procs = new();

    // Module generations: odd while a module is being unloaded or loaded. A ledger entry is trusted only
    // when the generation was the same even number before and after the call that made it.
    private readonly int[] _generation = new int[ModuleNames.Length];

    // KPI ledgers: one permanent, plus the ones the churn thread registers and deregisters.
    private readonly ConcurrentBag<(PairLedger Ledger, Prison.Core.Services.IServiceSlot Slot)> _ledgers = [];

    private readonly string?[] _currentOp;
    private readonly (string Name, Action<Random> Step)[] _threads;
    [ThreadStatic]
    private static int _threadIndex;

    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
    private volatile bool _stop;

    /// <summary>When each phase ended, for the test output.</summary>
    public List<(string Phase, TimeSpan At)> Phases { get; } = [];
    private int _names;

    public WholeSystemStress(int seed, StressBudget budget)
    {
        _seed = seed;
        _budget = budget;
        _loggerFactory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Error).AddProvider(_logs));
        Kernel = new Kernel(new KernelOptions { LoggerFactory = _loggerFactory });
        _threads = Threads;
        _currentOp = new string?[_threads.Length];
    }

    public Kernel Kernel { get; }

    private Proc Root => Kernel.Init;

    private (string Name, Action<Random> Step)[] Threads =>
    [
        ("jails-1", JailStep),
        ("jails-2", JailStep),
        ("procs", ProcStep),
        ("ipc-1", IpcStep),
        ("ipc-2", IpcStep),
        ("ipc-3", IpcStep),
        ("zfs", ZfsStep),
        ("interrupter", InterruptStep),
        ("watcher", WatchStep),
        ("modules", ModuleStep),
    ];

    /// <summary>Runs the stress and returns every failure (empty when the invariants held).</summary>
    public IReadOnlyList<string> Run()
    {
        Setup();
        var threads = _threads;
        var workers = new Thread[threads.Length];
        var deadline = DateTime.UtcNow + _budget.Duration;
        for (var t = 0; t < threads.Length; t++)
        {
            var index = t;
            var (name, step) = threads[t];
            workers[t] = new Thread(() => Loop(index, name, step, deadline)) { IsBackground = true, Name = "stress " + name };
            workers[t].Start();
        }
        // Threads blocked in semop or msgrcv at the deadline stay blocked until JoinEveryone interrupts them.
        foreach (var w in workers)
            w.Join(TimeSpan.FromTicks(Math.Max(0, (deadline - DateTime.UtcNow).Ticks)));
        Phases.Add(("run", _clock.Elapsed));
        _stop = true;
        JoinEveryone(workers);
        Phases.Add(("join", _clock.Elapsed));
        if (_failures.IsEmpty)
            FinalChecks();
        Phases.Add(("checks", _clock.Elapsed));
        return _failures.ToArray();
    }

    public void Dispose()
    {
        Kernel.Dispose();
        _loggerFactory.Dispose();
    }

    private void Setup()
    {
        foreach (var name in ModuleNames)
        {
            var loaded = Kernel.Modules.Load(Root.Cred, name);
            if (!loaded.Ok)
                throw new InvalidOperationException($"kldload {name}: {loaded} (is the test project a plugin host?)");
        }
        var ledger = new PairLedger("ledger-0");
        _ledgers.Add((ledger, Kernel.Services.Register(ledger.Definition())));
        _threadIndex = -1;
        // The zfs module creates the pool named by the zfs.pools tunable (default tank) when it loads.
        Expect("zpool create", Call("zpool create tank", () => Kernel.Syscalls.ZpoolCreate(Root, "tank")).Error, Errno.EEXIST);
    }

    private void Loop(int index, string name, Action<Random> step, DateTime deadline)
    {
        _threadIndex = index;
        var rng = new Random(_seed * 1000 + index);
        try
        {
            for (var i = 0; i < _budget.OpsPerThread && !_stop && DateTime.UtcNow < deadline; i++)
                step(rng);
        }
        catch (StressAbortException)
        {
            // Already recorded by Sys; this thread stops, the others go on so the end checks still run.
        }
        catch (Exception ex)
        {
            Fail($"thread {name} failed outside a syscall: {ex}");
        }
        _currentOp[index] = null;
    }

    /// <summary>
    /// Waits for every thread, interrupting every process meanwhile so a thread blocked in semop or
    /// msgrcv returns EINTR; a thread still there after the bound is stuck.
    /// </summary>
    private void JoinEveryone(Thread[] workers)
    {
        var until = DateTime.UtcNow + StressBudget.JoinBound;
        while (workers.Any(w => w.IsAlive) && DateTime.UtcNow < until)
        {
            foreach (var p in _procs.Values)
                p.Signal();
            foreach (var w in workers)
                w.Join(TimeSpan.FromMilliseconds(20));
        }
        for (var t = 0; t < workers.Length; t++)
        {
            if (workers[t].IsAlive)
                Fail($"thread {workers[t].Name} never returned (stuck in {_currentOp[t] ?? "?"})");
        }
    }

    /// <summary>Runs one syscall returning an errno; an exception that escapes it is a failure and stops the thread.</summary>
    private Errno Call(string what, Func<Errno> call) => Guard(what, call, e => e);

    /// <summary>Runs one syscall returning a result; see <see cref="Call(string, Func{Errno})"/>.</summary>
    private SysResult<T> Call<T>(string what, Func<SysResult<T>> call) => Guard(what, call, r => r.Error);

    private T Guard<T>(string what, Func<T> call, Func<T, Errno> errnoOf)
    {
        if (_threadIndex >= 0)
            _currentOp[_threadIndex] = what;
        try
        {
            var result = call();
            CheckErrno(what, errnoOf(result));
            return result;
        }
        catch (Exception ex) when (ex is not StressAbortException)
        {
            Fail($"{what} threw: {ex}");
            throw new StressAbortException(what, ex);
        }
    }

    /// <summary>Nothing in this run throws from a callback, so EDOOFUS or a non-FreeBSD value is a bug.</summary>
    private void CheckErrno(string what, Errno e)
    {
        if (e == Errno.OK)
            return;
        if ((int)e <= 0 || !Enum.IsDefined(e) || e == Errno.EDOOFUS)
            Fail($"{what} returned {e} ({(int)e}), not a FreeBSD errno this call may return");
    }

    private void Expect(string what, Errno got, params Errno[] allowed)
    {
        if (!allowed.Contains(got))
            Fail($"{what}: got {got.Name()}, expected one of {string.Join(", ", allowed.Select(a => a.Name()))}");
    }

    private void Fail(string message) => _failures.Enqueue($"seed {_seed}: {message}");

    private string NextName() => "s" + Interlocked.Increment(ref _names).ToString(CultureInfo.InvariantCulture);

    private static T Pick<T>(Random rng, IReadOnlyList<T> items) => items[rng.Next(items.Count)];
}
