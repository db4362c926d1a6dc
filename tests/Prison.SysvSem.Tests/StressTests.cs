using Prison.Core;
using Prison.Core.Ipc;
using Prison.Core.Procs;
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

        var threads = workers.Select(w => new Thread(() =>
        {
            var r = new Random(w.Seed);
            for (var i = 0; i < 400; i++)
            {
                switch (w.Role)
                {
                    case "producer":
                        if (t.K.SemOp(w.Proc, id, [B(Tokens, 1)]) != Errno.OK)
                            return;
                        Interlocked.Increment(ref posts);
                        break;
                    case "consumer":
                        // With SEM_UNDO the unit comes back when the process exits.
                        var undo = r.Next(4) == 0;
                        if (t.K.SemOp(w.Proc, id, [B(Tokens, -1, undo ? SEM_UNDO : 0)]) != Errno.OK)
                            return;
                        Interlocked.Increment(ref undo ? ref undoWaits : ref plainWaits);
                        break;
                    case "transfer":
                        if (t.K.SemOp(w.Proc, id, [B(Moved, 1), B(Tokens, -1)]) != Errno.OK)
                            return;
                        Interlocked.Increment(ref transfers);
                        break;
                    default:
                        if (t.K.SemOp(w.Proc, id, [B(Mutex, -1, SEM_UNDO)]) != Errno.OK)
                            return;
                        Thread.Yield();
                        if (t.K.SemOp(w.Proc, id, [B(Mutex, 1, SEM_UNDO)]) != Errno.OK)
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
        var producers = threads.Where((_, i) => workers[i].Role == "producer").ToArray();
        Assert.True(producers.All(th => th.Join(Bound)), $"seed {seed}: a producer did not finish");
        foreach (var w in workers)
        {
            if (w.Role != "locker")
                t.K.Processes.Exit(w.Proc);
        }
        // Lockers never wait forever (the mutex always comes back); let them run out, then end them.
        var stuck = threads.Select((th, i) => (Thread: th, Role: workers[i].Role)).Where(x => !x.Thread.Join(Bound)).Select(x => x.Role).ToList();
        Assert.True(stuck.Count == 0,
            $"seed {seed}: a blocked thread never returned ({string.Join(", ", stuck)}; values {t.Val(id, Tokens)}/{t.Val(id, Moved)}/{t.Val(id, Mutex)}, " +
            $"ncnt {t.Ncnt(id, Tokens)}/{t.Ncnt(id, Moved)}/{t.Ncnt(id, Mutex)})");
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
    }
}
