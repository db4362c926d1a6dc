using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Prison.Core;
using Prison.Core.Ipc;
using Prison.Core.Jails;
using Prison.Core.Procs;
using Prison.Core.Rctl;
using static Prison.Core.Ipc.IpcConstants;

namespace Prison.Cli.Tests.Rctl;

/// <summary>
/// The no-drift invariant: after random IPC operations, jail removals and forced module unloads from
/// several threads, every jail's usage equals what the live objects it and its descendants created
/// account for, and everything returns to zero once they are gone.
/// </summary>
public sealed class NoDriftStressTests
{
    private static readonly string[] Modules = ["sysvshm", "sysvsem", "sysvmsg"];
    private static readonly string[] JailNames = ["a", "b", "c"];

    [Theory]
    [InlineData(1)]
    [InlineData(20240611)]
    public void Usage_matches_live_objects_and_returns_to_zero(int seed)
    {
        var errors = new RecordingLoggerProvider();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(errors));
        using var k = new Kernel(new KernelOptions { LoggerFactory = loggers });
        try
        {
            Run(k, seed);
        }
        catch (Exception ex)
        {
            throw new InvalidOperationException($"no-drift stress failed with seed {seed}", ex);
        }
        Assert.True(errors.Errors.IsEmpty, $"seed {seed}: racct logged errors: {string.Join("; ", errors.Errors)}");
    }

    private static void Run(Kernel k, int seed)
    {
        foreach (var m in Modules)
            Assert.True(k.Modules.Load(k.Init.Cred, m).Ok, m);
        var everyJail = new ConcurrentBag<Jail>();
        var jailLock = new Lock(); // serialises the churn thread's jail removals and re-creations
        foreach (var name in JailNames)
            CreateFamily(k, name, everyJail);
        Assert.True(k.Syscalls.RctlAddRule(k.Init, "jail:a:nshm:deny=3").Ok);
        Assert.True(k.Syscalls.RctlAddRule(k.Init, "jail:a:nsem:deny=5").Ok);
        Assert.True(k.Syscalls.RctlAddRule(k.Init, "jail:a:msgqqueued:deny=4").Ok);
        Assert.True(k.Syscalls.RctlAddRule(k.Init, "jail:b.c:msgqsize:deny=300").Ok);

        var host = k.Init;
        var threads = Enumerable.Range(0, 3).Select(t => new Thread(() =>
        {
            var rng = new Random(seed * 31 + t);
            for (var i = 0; i < 400; i++)
            {
                if (t == 0 && i % 40 == 39)
                {
                    lock (jailLock)
                        Churn(k, rng, everyJail);
                    continue;
                }
                var jails = k.Jails.List(k.Prison0);
                if (jails.Count == 0)
                    continue;
                var spawned = k.Processes.Spawn(Ucred.Root(jails[rng.Next(jails.Count)]), "ipc", k.Init);
                if (!spawned.Ok)
                    continue; // the jail died meanwhile
                RandomOperation(k, rng, spawned.Value, host);
                k.Processes.Exit(spawned.Value);
            }
        })).ToArray();
        foreach (var th in threads)
            th.Start();
        foreach (var th in threads)
            Assert.True(th.Join(TimeSpan.FromSeconds(60)), "a worker did not finish");

        foreach (var m in Modules)
        {
            if (k.Modules.Find(m) is null)
                Assert.True(k.Modules.Load(k.Init.Cred, m).Ok, m);
        }
        CheckUsageMatchesLiveObjects(k);
        Assert.True(k.Racct.Usage(k.Jails.FindVisible(k.Prison0, "a")!, RacctResource.Nshm) <= 3);

        foreach (var j in k.Jails.List(k.Prison0).Where(j => j.Parent == k.Prison0))
            k.Syscalls.JailRemove(k.Init, j.Id);
        CheckUsageMatchesLiveObjects(k);
        foreach (var m in Modules)
            Assert.True(k.Modules.Unload(k.Init.Cred, m, force: true).Ok, m);
        foreach (var j in everyJail.Append(k.Prison0))
        {
            foreach (var r in RacctResources.All)
                Assert.True(k.Racct.Usage(j, r) == 0, $"{j}: {r.Name()}={k.Racct.Usage(j, r)} after everything is gone");
        }
    }

    private static void CreateFamily(Kernel k, string name, ConcurrentBag<Jail> every)
    {
        var parent = Create(k, k.Init, new JailParams { ["name"] = name, ["persist"] = null, ["children.max"] = "1" });
        AddIfCreated(every, parent);
        AddIfCreated(every, Create(k, k.Init, new JailParams { ["name"] = name + ".c", ["persist"] = null }));
    }

    private static void AddIfCreated(ConcurrentBag<Jail> every, Jail? j)
    {
        if (j is not null)
            every.Add(j);
    }

    private static Jail? Create(Kernel k, Proc caller, JailParams p)
    {
        p["sysvshm"] = "new";
        p["sysvsem"] = "new";
        p["sysvmsg"] = "new";
        var r = k.Syscalls.JailSet(caller, p, JailFlags.Create);
        return r.Ok ? k.Jails.Find(r.Value) : null;
    }

    /// <summary>Removes and re-creates a jail family, or force-unloads and reloads a module.</summary>
    private static void Churn(Kernel k, Random rng, ConcurrentBag<Jail> every)
    {
        if (rng.Next(2) == 0)
        {
            var name = JailNames[rng.Next(JailNames.Length)];
            if (k.Jails.FindVisible(k.Prison0, name) is { } j)
                k.Syscalls.JailRemove(k.Init, j.Id);
            CreateFamily(k, name, every);
            return;
        }
        var module = Modules[rng.Next(Modules.Length)];
        k.Modules.Unload(k.Init.Cred, module, force: true);
        k.Modules.Load(k.Init.Cred, module);
    }

    private static void RandomOperation(Kernel k, Random rng, Proc p, Proc host)
    {
        switch (rng.Next(9))
        {
            case 0:
            case 1:
                k.Syscalls.ShmGet(p, IPC_PRIVATE, (ulong)rng.Next(1, 20000), IPC_CREAT | 0x1b6);
                break;
            case 2:
                if (Pick(k, host, "kern.ipc.shmsegs", (ShmSegmentInfo s) => s.Id, rng) is { } shmid)
                {
                    var ds = default(ShmidDs);
                    k.Syscalls.ShmCtl(host, shmid, IPC_RMID, ref ds);
                }
                break;
            case 3:
                k.Syscalls.SemGet(p, IPC_PRIVATE, rng.Next(1, 4), IPC_CREAT | 0x1b6);
                break;
            case 4:
                if (Pick(k, host, "kern.ipc.sema", (SemSetInfo s) => s.Id, rng) is { } semid)
                    k.Syscalls.SemCtl(host, semid, 0, IPC_RMID, null);
                break;
            case 5:
                k.Syscalls.MsgGet(p, IPC_PRIVATE, IPC_CREAT | 0x1b6);
                break;
            case 6:
            case 7:
                if (Pick(k, host, "kern.ipc.msqids", (MsgQueueInfo q) => q.Id, rng) is { } sendTo)
                {
                    var body = new byte[rng.Next(1, 120)];
                    k.Syscalls.MsgSnd(rng.Next(2) == 0 ? host : p, sendTo, 1, body, (ulong)body.Length, IPC_NOWAIT);
                }
                break;
            default:
                if (Pick(k, host, "kern.ipc.msqids", (MsgQueueInfo q) => q.Id, rng) is { } queue)
                {
                    if (rng.Next(4) == 0)
                    {
                        var ds = default(MsqidDs);
                        k.Syscalls.MsgCtl(host, queue, IPC_RMID, ref ds);
                    }
                    else
                    {
                        k.Syscalls.MsgRcv(host, queue, new byte[200], 200, 0, IPC_NOWAIT, out _);
                    }
                }
                break;
        }
    }

    private static int? Pick<T>(Kernel k, Proc host, string sysctl, Func<T, int> id, Random rng)
    {
        var read = k.Sysctl.Read(host.Cred, sysctl);
        if (!read.Ok || read.Value is not IReadOnlyList<T> { Count: > 0 } list)
            return null;
        return id(list[rng.Next(list.Count)]);
    }

    /// <summary>Every existing jail's usage equals the sum over live objects created in it or below it.</summary>
    private static void CheckUsageMatchesLiveObjects(Kernel k)
    {
        var shm = (IReadOnlyList<ShmSegmentInfo>)k.Sysctl.Read(k.Init.Cred, "kern.ipc.shmsegs").Value;
        var sem = (IReadOnlyList<SemSetInfo>)k.Sysctl.Read(k.Init.Cred, "kern.ipc.sema").Value;
        var msg = (IReadOnlyList<MsgQueueInfo>)k.Sysctl.Read(k.Init.Cred, "kern.ipc.msqids").Value;
        foreach (var j in k.Jails.List(k.Prison0, includeDying: true).Append(k.Prison0))
        {
            bool Below(int jid) => k.Jails.Find(jid) is { } c && j.IsSelfOrAncestorOf(c);
            var expected = new Dictionary<RacctResource, long>
            {
                [RacctResource.Nshm] = shm.Count(s => Below(s.CreatorJid)),
                [RacctResource.ShmSize] = shm.Where(s => Below(s.CreatorJid)).Sum(s => (long)((s.Ds.Segsz + PAGE_SIZE - 1) / PAGE_SIZE * PAGE_SIZE)),
                [RacctResource.Nsem] = sem.Where(s => Below(s.CreatorJid)).Sum(s => (long)s.Ds.Nsems),
                [RacctResource.Nmsgq] = msg.Count(q => Below(q.CreatorJid)),
                [RacctResource.MsgqQueued] = msg.Where(q => Below(q.CreatorJid)).Sum(q => (long)q.Ds.Qnum),
                [RacctResource.MsgqSize] = msg.Where(q => Below(q.CreatorJid)).Sum(q => (long)q.Ds.Cbytes),
                [RacctResource.Nsemop] = 0,
            };
            foreach (var (r, want) in expected)
                Assert.True(want == k.Racct.Usage(j, r), $"{j}: {r.Name()} is {k.Racct.Usage(j, r)}, live objects account for {want}");
        }
    }

    /// <summary>Keeps every message of level Error or above (racct logs a leak or an underflow that way).</summary>
    private sealed class RecordingLoggerProvider : ILoggerProvider
    {
        public ConcurrentQueue<string> Errors { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Recorder(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Recorder(RecordingLoggerProvider owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (IsEnabled(logLevel))
                    owner.Errors.Enqueue($"{category}: {formatter(state, exception)}");
            }
        }
    }
}
