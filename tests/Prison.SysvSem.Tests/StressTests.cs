using Prison.Core;
using Prison.Core.Ipc;
using Prison.Core.Procs;
using Prison.Tests.Shared;
using Xunit.Abstractions;
using static Prison.Core.Ipc.IpcConstants;
using static Prison.SysvSem.Tests.SemTestKernel;

namespace Prison.SysvSem.Tests;

/// <summary>
/// Many threads in many processes post, wait, transfer and lock, while a killer takes processes away
/// mid-call. Checks that no unit is lost or duplicated and that every blocked thread comes back.
/// </summary>
public sealed class StressTests(ITestOutputHelper output)
{
    private const int Tokens = 0;   // posted by producers, taken by consumers and transfers
    private const int Moved = 1;    // filled only by atomic transfers out of Tokens
    private const int Mutex = 2;    // taken and given back with SEM_UNDO by lockers

    /// <summary>More seeds: one from the clock; seeds for 10 minutes with <c>PRISON_STRESS_LONG=1</c>.</summary>
    [Fact]
    public void Units_are_conserved_for_more_seeds() =>
        Assert.True(StressRun.Seeds(output.WriteLine, Units_are_conserved_and_every_sleeper_returns) >= 1);

    [Theory]
    [InlineData(1)]
    [InlineData(20240607)]
    [InlineData(987654321)]
    public void Units_are_conserved_and_every_sleeper_returns(int seed)
    {
        output.WriteLine($"seed {seed}");
        using var t = new SemTestKernel();
        var rng = new Random(seed);
        var jail = t.Jail("stress");
        var id = t.NewSet(t.RootIn(jail), nsems: 3);
        t.SetVal(id, Mutex, 1);

        long posts = 0, plainWaits = 0, undoWaits = 0, transfers = 0;
        var workers = new List<(Proc Proc, string Role, int Seed)>();
        foreach (var role in new[] { "producer", "producer", "producer", "consumer", "consumer", "consumer", "consumer", "transfer", "transfer", "locker", "locker", "locker" })
            workers.Add((t.RootIn(jail), role, rng.Next()));

        // Per worker: iterations done and the call it is in (for the report of a thread that never returns).
        var progress = new int[workers.Count];
        var inCall = new string?[workers.Count];
        var threads = workers.Select((w, index) => new Thread(() =>
        {
            var r = new Random(w.Seed);
            Errno Call(string what, params SemBuf[] sops)
            {
                Volatile.Write(ref inCall[index], what);
                var e = t.K.Syscalls.SemOp(w.Proc, id, sops);
                Volatile.Write(ref inCall[index], null);
                return e;
            }
            for (var i = 0; i < 400; i++)
            {
                Interlocked.Increment(ref progress[index]);
                switch (w.Role)
                {
                    case "producer":
                        if (Call("post", B(Tokens, 1)) != Errno.OK)
                            return;
                        Interlocked.Increment(ref posts);
                        break;
                    case "consumer":
                        // With SEM_UNDO the unit comes back when the process exits.
                        var undo = r.Next(4) == 0;
                        if (Call("take", B(Tokens, -1, undo ? SEM_UNDO : 0)) != Errno.OK)
                            return;
                        Interlocked.Increment(ref undo ? ref undoWaits : ref plainWaits);
                        break;
                    case "transfer":
                        if (Call("transfer", B(Moved, 1), B(Tokens, -1)) != Errno.OK)
                            return;
                        Interlocked.Increment(ref transfers);
                        break;
                    default:
                        if (Call("lock", B(Mutex, -1, SEM_UNDO)) != Errno.OK)
                            return;
                        Thread.Yield();
                        if (Call("unlock", B(Mutex, 1, SEM_UNDO)) != Errno.OK)
                            return;
                        break;
                }
                if (r.Next(16) == 0)
                    Thread.Yield();
            }
        })
        { IsBackground = true, Name = $"{w.Role} {w.Proc.Pid}" }).ToList();

        // The killer takes away one consumer, one transfer and one locker part-way through.
        var victims = new[] { "consumer", "transfer", "locker" }
            .Select(role => workers.Where(w => w.Role == role).ElementAt(rng.Next(workers.Count(w => w.Role == role))).Proc)
            .ToArray();
        foreach (var th in threads)
            th.Start();
        foreach (var v in victims)
        {
            Thread.Sleep(rng.Next(1, 15));
            t.K.Processes.Exit(v);
        }

        // Producers finish; then every process still running is killed so consumers stuck waiting return.
        string Report(List<int> stuck) =>
            $"seed {seed}: " + StuckReport(t, id, stuck.Select(i => (workers[i].Role, workers[i].Proc, threads[i].ThreadState, progress[i], Volatile.Read(ref inCall[i]))));
        var producers = NotReturned(threads, progress, Enumerable.Range(0, workers.Count).Where(i => workers[i].Role == "producer"));
        Assert.True(producers.Count == 0, Report(producers));
        foreach (var w in workers)
        {
            if (w.Role != "locker")
                t.K.Processes.Exit(w.Proc);
        }
        // Lockers never wait forever (the mutex always comes back); let them run out, then end them.
        var stuck = NotReturned(threads, progress, Enumerable.Range(0, workers.Count));
        Assert.True(stuck.Count == 0, Report(stuck));
        foreach (var w in workers)
            t.K.Processes.Exit(w.Proc);

        // Every unit taken with SEM_UNDO came back at exit; the others are gone or moved.
        var tokens = t.Val(id, Tokens);
        var moved = t.Val(id, Moved);
        var expected = posts - plainWaits - transfers;
        Assert.True(moved == transfers, $"seed {seed}: moved {moved} != transfers {transfers}");
        Assert.True(tokens == expected, $"seed {seed}: tokens {tokens} != posts {posts} - waits {plainWaits} - transfers {transfers} (undo waits {undoWaits})");
        Assert.Equal(1, t.Val(id, Mutex));
        Assert.Equal(0, t.Ncnt(id, Tokens) + t.Ncnt(id, Mutex) + t.Ncnt(id, Moved));
        output.WriteLine($"seed {seed} passed: {posts} posts, {plainWaits} waits, {undoWaits} SEM_UNDO waits, {transfers} transfers, {tokens} tokens left, {workers.Count} threads returned");
    }

    /// <summary>
    /// Joins the threads; returns the indexes of those that never returned. A thread still making
    /// progress (an iteration begun) is slow, not lost (a machine under heavy load can starve a thread for seconds): the wait
    /// goes on while any pending thread advanced during the last bound, up to six bounds in all.
    /// </summary>
    private static List<int> NotReturned(List<Thread> threads, int[] progress, IEnumerable<int> which)
    {
        var cap = DateTime.UtcNow + 6 * Bound;
        var pending = which.ToList();
        while (true)
        {
            var before = pending.ToDictionary(i => i, i => Volatile.Read(ref progress[i]));
            var window = DateTime.UtcNow + Bound;
            pending = pending.Where(i => !threads[i].Join(Remaining(window))).ToList();
            if (pending.Count == 0 || DateTime.UtcNow >= cap || pending.All(i => Volatile.Read(ref progress[i]) == before[i]))
                return pending;
        }
    }

    private static TimeSpan Remaining(DateTime deadline)
    {
        var left = deadline - DateTime.UtcNow;
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }

    /// <summary>
    /// What a failure needs to be diagnosed: each stuck thread (role, pid, iterations, the call it is in),
    /// its thread state (WaitSleepJoin: asleep), the values and waiter counts of the semaphores, and whether a sleeper could proceed (a lost wake-up)
    /// or every stuck thread was running (starved).
    /// </summary>
    private static string StuckReport(SemTestKernel t, int id, IEnumerable<(string Role, Proc Proc, ThreadState State, int Iterations, string? Call)> stuck)
    {
        var values = new[] { Tokens, Moved, Mutex }.Select(n => t.Val(id, n)).ToArray();
        var threads = stuck.Select(s =>
            $"{s.Role} pid {s.Proc.Pid}{(s.Proc.HasExited ? " (killed)" : "")} after {s.Iterations} iterations, {(s.Call is null ? "between calls" : $"in {s.Call}")}, thread {s.State}").ToList();
        // take, transfer and lock wait for one unit of Tokens or Mutex: a caller in one with that unit there
        // missed a wake-up, and a killed caller still in any call missed its interrupt.
        var lost = stuck.Where(s => s.Call is not null && (s.Proc.HasExited
                || (s.Call is "take" or "transfer" && values[Tokens] > 0) || (s.Call == "lock" && values[Mutex] > 0)))
            .Select(s => $"{s.Role} pid {s.Proc.Pid}").ToList();
        return $"a blocked thread never returned ({string.Join("; ", threads)}); values {values[Tokens]}/{values[Moved]}/{values[Mutex]}, " +
            $"ncnt {t.Ncnt(id, Tokens)}/{t.Ncnt(id, Moved)}/{t.Ncnt(id, Mutex)}, zcnt {t.Zcnt(id, Tokens)}/{t.Zcnt(id, Moved)}/{t.Zcnt(id, Mutex)}, " +
            $"{t.Semaphores.Sleepers} asleep in semop; " +
            (lost.Count > 0 ? $"lost wake-up: {string.Join(", ", lost)} can proceed" : "no stuck call could proceed (a sleeper waits for a unit that is not there, or the threads were starved)");
    }
}
