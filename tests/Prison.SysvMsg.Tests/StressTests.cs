using System.Buffers.Binary;
using Prison.Core;
using Prison.Core.Ipc;
using Prison.Core.Procs;
using Prison.Tests.Shared;
using Xunit.Abstractions;
using static Prison.SysvMsg.Tests.MsgFixture;

namespace Prison.SysvMsg.Tests;

/// <summary>
/// Several producers and consumers per queue, queues in three namespaces (host, two jails), small
/// queues and a small msgtql so both sides sleep a lot, and random signals. Every message sent must be
/// received exactly once, intact, and in per-producer order; every sleeper must return at the end.
/// </summary>
public class StressTests(ITestOutputHelper output)
{
    private const int Producers = 3;
    private const int MessagesPerProducer = 250;
    private const int Signals = 300;

    /// <summary>More seeds: one from the clock; seeds for 10 minutes with <c>PRISON_STRESS_LONG=1</c>.</summary>
    [Fact]
    public void Nothing_is_lost_for_more_seeds() =>
        Assert.True(StressRun.Seeds(output.WriteLine, Producers_and_consumers_across_jails_lose_and_duplicate_nothing) >= 1);

    [Theory]
    [InlineData(1)]
    [InlineData(20240611)]
    [InlineData(7777)]
    public void Producers_and_consumers_across_jails_lose_and_duplicate_nothing(int seed)
    {
        output.WriteLine($"seed {seed}");
        var rng = new Random(seed);
        using var f = new MsgFixture();
        Assert.Equal(Errno.OK, f.SetSysctl("kern.ipc.msgtql", 12));
        var spaces = new[] { f.Kernel.Prison0, f.Jail("s1"), f.Jail("s2") };
        var queues = spaces.Select(j => f.Get(f.RootIn(j), 77, CREAT | Oct(600))).ToArray();
        foreach (var id in queues)
        {
            var ds = f.Stat(f.Root, id) with { Qbytes = (ulong)rng.Next(40, 100) };
            Assert.True(f.Kernel.Syscalls.MsgCtl(f.Root, id, IpcConstants.IPC_SET, ref ds).Ok);
        }

        var producers = new List<(Proc Proc, Thread Thread)>();
        var consumers = new List<(Proc Proc, Thread Thread, Consumer State)>();
        long received = 0;
        using var removing = new ManualResetEventSlim();
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        for (var q = 0; q < queues.Length; q++)
        {
            var id = queues[q];
            var queueIndex = q;
            for (var k = 0; k < Producers; k++)
            {
                // The host's producers may send into a jail's queue by id; jailed ones use their own.
                var proc = f.RootIn(rng.Next(4) == 0 ? f.Kernel.Prison0 : spaces[q]);
                var producer = k;
                var padSeed = rng.Next();
                producers.Add((proc, new Thread(() => Produce(f, proc, id, queueIndex, producer, padSeed, failures)) { IsBackground = true }));
            }
            // One catch-all consumer per queue so everything drains, plus consumers with random selectors,
            // one of them for a type nobody sends (it sleeps until IPC_RMID releases it).
            var selectors = new List<long> { 0, Producers + 1 };
            for (var c = 0; c < 2; c++)
                selectors.Add(rng.Next(3) switch { 0 => 0, 1 => rng.Next(1, Producers + 1), _ => -rng.Next(1, Producers + 1) });
            foreach (var msgtyp in selectors)
            {
                var proc = f.RootIn(spaces[q]);
                var state = new Consumer(queueIndex, msgtyp);
                consumers.Add((proc, new Thread(() => Consume(f, proc, id, state, removing, ref received, failures)) { IsBackground = true }, state));
            }
        }

        foreach (var t in producers.Select(p => p.Thread).Concat(consumers.Select(c => c.Thread)))
            t.Start();
        var everyone = producers.Select(p => p.Proc).Concat(consumers.Select(c => c.Proc)).ToArray();
        for (var i = 0; i < Signals; i++)
        {
            everyone[rng.Next(everyone.Length)].Signal();
            Thread.Yield();
        }

        foreach (var (_, thread) in producers)
            Assert.True(thread.Join(Patience), $"seed {seed}: a producer did not finish");
        var total = queues.Length * Producers * MessagesPerProducer;
        Assert.True(SpinWait.SpinUntil(() => Interlocked.Read(ref received) >= total, Patience),
            $"seed {seed}: received {Interlocked.Read(ref received)} of {total}");
        removing.Set();
        foreach (var id in queues)
            Assert.Equal(Errno.OK, f.Rmid(f.Root, id));
        foreach (var (_, thread, _) in consumers)
            Assert.True(thread.Join(Patience), $"seed {seed}: a consumer was not released by IPC_RMID");

        Assert.True(failures.IsEmpty, $"seed {seed}: {string.Join("; ", failures.Take(5))}");
        Assert.Equal(total, Interlocked.Read(ref received));
        var all = consumers.SelectMany(c => c.State.Got.Select(g => (c.State.Queue, g.Producer, g.Seq))).ToList();
        Assert.Equal(total, all.Distinct().Count());
        for (var q = 0; q < queues.Length; q++)
        {
            for (var k = 0; k < Producers; k++)
            {
                var seqs = all.Where(x => x.Queue == q && x.Producer == k).Select(x => x.Seq).Order().ToArray();
                Assert.True(seqs.SequenceEqual(Enumerable.Range(0, MessagesPerProducer)), $"seed {seed}: queue {q} producer {k} lost or duplicated messages");
            }
        }
        foreach (var (_, _, state) in consumers)
        {
            // One consumer's receives happen one after the other, so per producer they follow the send order.
            foreach (var perProducer in state.Got.GroupBy(g => g.Producer))
            {
                var seqs = perProducer.Select(g => g.Seq).ToArray();
                Assert.True(seqs.Zip(seqs.Skip(1)).All(p => p.First < p.Second), $"seed {seed}: out of order for producer {perProducer.Key}");
            }
        }
        Assert.Equal((0, 0), f.Queues.Usage());
        output.WriteLine($"seed {seed} passed: {total} messages sent and received once each, in order per producer, {consumers.Count} consumers released by IPC_RMID");
    }

    private static byte[] Body(int queue, int producer, int seq, int padSeed)
    {
        var pad = new Random(HashCode.Combine(padSeed, seq));
        var body = new byte[12 + pad.Next(0, 20)];
        BinaryPrimitives.WriteInt32LittleEndian(body, queue);
        BinaryPrimitives.WriteInt32LittleEndian(body.AsSpan(4), producer);
        BinaryPrimitives.WriteInt32LittleEndian(body.AsSpan(8), seq);
        pad.NextBytes(body.AsSpan(12));
        return body;
    }

    private static void Produce(MsgFixture f, Proc proc, int id, int queue, int producer, int padSeed,
        System.Collections.Concurrent.ConcurrentQueue<string> failures)
    {
        for (var seq = 0; seq < MessagesPerProducer; seq++)
        {
            var body = Body(queue, producer, seq, padSeed);
            Errno e;
            // EINTR means nothing was sent: send the same message again.
            while ((e = f.Kernel.Syscalls.MsgSnd(proc, id, producer + 1, body, (ulong)body.Length, 0)) == Errno.EINTR)
            {
            }
            if (e != Errno.OK)
            {
                failures.Enqueue($"producer {queue}/{producer} seq {seq}: {e}");
                return;
            }
        }
    }

    private static void Consume(MsgFixture f, Proc proc, int id, Consumer state, ManualResetEventSlim removing, ref long received,
        System.Collections.Concurrent.ConcurrentQueue<string> failures)
    {
        var buffer = new byte[64];
        while (true)
        {
            var r = f.Kernel.Syscalls.MsgRcv(proc, id, buffer, (ulong)buffer.Length, state.Msgtyp, 0, out var mtype);
            if (r.Error == Errno.EINTR)
                continue;
            // Asleep at removal: EIDRM; calling again after it (a signal came first): the id is gone.
            if (r.Error == Errno.EIDRM || (r.Error == Errno.EINVAL && removing.IsSet))
                return;
            if (!r.Ok)
            {
                failures.Enqueue($"consumer {state.Queue} msgtyp {state.Msgtyp}: {r.Error}");
                return;
            }
            var body = buffer.AsSpan(0, r.Value);
            var queue = BinaryPrimitives.ReadInt32LittleEndian(body);
            var producer = BinaryPrimitives.ReadInt32LittleEndian(body[4..]);
            var seq = BinaryPrimitives.ReadInt32LittleEndian(body[8..]);
            if (queue != state.Queue || mtype != producer + 1 || !MatchesSelector(state.Msgtyp, mtype))
                failures.Enqueue($"consumer {state.Queue} msgtyp {state.Msgtyp} got queue {queue} type {mtype}");
            state.Got.Add((producer, seq));
            Interlocked.Increment(ref received);
        }
    }

    private static bool MatchesSelector(long msgtyp, long mtype) =>
        msgtyp == 0 || (msgtyp > 0 ? mtype == msgtyp : mtype <= -msgtyp);

    private sealed class Consumer(int queue, long msgtyp)
    {
        public int Queue { get; } = queue;

        public long Msgtyp { get; } = msgtyp;

        /// <summary>Written only by the consumer's thread; read after it has been joined.</summary>
        public List<(int Producer, int Seq)> Got { get; } = [];
    }
}
