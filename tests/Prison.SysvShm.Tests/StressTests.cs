using System.Buffers.Binary;
using Prison.Core;
using Prison.Core.Ipc;
using Prison.Core.Jails;
using Prison.Core.Procs;
using Xunit.Abstractions;
using static Prison.Core.Ipc.IpcConstants;
using static Prison.SysvShm.Tests.ShmTestKernel;

namespace Prison.SysvShm.Tests;

/// <summary>
/// Seeded, bounded concurrency: threads in two <c>new</c> jails and the host create, attach, write,
/// read, detach and remove segments (host threads also remove jails' segments by id). Checked during
/// the run: no listing shows a segment from outside the caller's namespace, and every thread reads back
/// what it last wrote into its own slot of a segment. Checked after: nattch equals the attachments the
/// threads still hold, and process exit and removal leave nothing behind. Threads also exit their process
/// now and then (the exit hook detaches everything while other threads attach, detach and remove) and go
/// on in a new one.
/// </summary>
public class StressTests(ITestOutputHelper output)
{
    private const int Threads = 6;
    private const int OpsPerThread = 1500;
    private const int SlotSize = 8;
    private const ulong SegmentSize = Threads * SlotSize;

    [Theory]
    [InlineData(20240601)]
    [InlineData(77)]
    public void Concurrent_shm_traffic_across_jails_keeps_the_invariants(int seed)
    {
        output.WriteLine($"seed {seed}");
        using var k = Boot();
        var jails = new[] { k.NewJail("pg1", "new"), k.NewJail("pg2", "new"), k.Prison0 };
        var workers = Enumerable.Range(0, Threads)
            .Select(i => new Worker(k, i, k.Spawn(jails[i % jails.Length], 770, 770), k.Spawn(jails[i % jails.Length]), seed + (i * 7919)))
            .ToArray();
        using var start = new Barrier(Threads);
        var threads = workers.Select(w => new Thread(() =>
        {
            start.SignalAndWait();
            w.Run();
        })).ToArray();
        foreach (var t in threads)
            t.Start();
        foreach (var t in threads)
            t.Join();

        foreach (var w in workers)
            Assert.True(w.Failure is null, $"seed {seed}, worker {w.Index}: {w.Failure}");

        // nattch of every segment equals the attachments the workers still hold.
        var expected = workers.SelectMany(w => w.Held).GroupBy(h => h.Id).ToDictionary(g => g.Key, g => g.Count());
        foreach (var seg in k.Segments(k.Init))
            Assert.True(seg.Ds.Nattch == expected.GetValueOrDefault(seg.Id), $"seed {seed}: segment {seg.Id} nattch {seg.Ds.Nattch}, held {expected.GetValueOrDefault(seg.Id)}");
        foreach (var id in expected.Keys)
            Assert.Contains(k.Segments(k.Init), s => s.Id == id);

        // Exits detach everything; removing every segment then leaves the module unloadable.
        foreach (var w in workers)
            k.Processes.Exit(w.User);
        Assert.All(k.Segments(k.Init), s => Assert.Equal(0, s.Ds.Nattch));
        foreach (var seg in k.Segments(k.Init))
            Assert.Equal(Errno.OK, k.Rmid(k.Init, seg.Id));
        Assert.Empty(k.Segments(k.Init));
        Assert.True(k.Modules.Unload(k.Init.Cred, "sysvshm").Ok, $"seed {seed}");
    }

    private sealed class Worker(Kernel k, int index, Proc user, Proc root, int seed)
    {
        private readonly Random _random = new(seed);
        private readonly Dictionary<int, ulong> _lastWritten = [];
        private ulong _counter;

        public int Index { get; } = index;

        public Proc User { get; private set; } = user;

        public List<(int Id, ulong Addr)> Held { get; } = [];

        public string? Failure { get; private set; }

        public void Run()
        {
            var jail = User.Jail;
            for (var op = 0; op < OpsPerThread && Failure is null; op++)
            {
                switch (_random.Next(11))
                {
                    case 0 or 1:
                        Get();
                        break;
                    case 2 or 3:
                        Attach();
                        break;
                    case 4 or 5:
                        WriteAndReadBack();
                        break;
                    case 6:
                        Detach();
                        break;
                    case 7:
                        RemoveSomething();
                        break;
                    case 10:
                        ExitAndRespawn(jail);
                        break;
                    default:
                        CheckListing(jail);
                        break;
                }
            }
        }

        private void Get()
        {
            var r = k.Syscalls.ShmGet(User, 1 + _random.Next(3), SegmentSize, IPC_CREAT | 0x1b6);
            if (!r.Ok && r.Error != Errno.ENOSPC)
                Fail($"shmget: {r}");
        }

        private void Attach()
        {
            var r = k.Syscalls.ShmGet(User, 1 + _random.Next(3), 0, 0);
            if (!r.Ok)
                return; // not created yet, or removed meanwhile
            var at = k.Syscalls.ShmAt(User, r.Value, 0, 0);
            if (at.Ok)
                Held.Add((r.Value, at.Value));
            else if (at.Error is not (Errno.EINVAL or Errno.EMFILE))
                Fail($"shmat {r.Value}: {at}");
        }

        private void WriteAndReadBack()
        {
            if (Held.Count == 0)
                return;
            var (id, addr) = Held[_random.Next(Held.Count)];
            var slot = addr + (ulong)(Index * SlotSize);
            var buf = new byte[SlotSize];
            // The slot holds what this thread wrote last through any attachment of the segment.
            if (k.Syscalls.ShmRead(User, slot, buf) != MemFault.None)
            {
                Fail($"read {id}");
                return;
            }
            var seen = BinaryPrimitives.ReadUInt64LittleEndian(buf);
            if (seen != _lastWritten.GetValueOrDefault(id))
            {
                Fail($"segment {id} slot {Index}: read {seen}, wrote {_lastWritten.GetValueOrDefault(id)}");
                return;
            }
            BinaryPrimitives.WriteUInt64LittleEndian(buf, ++_counter);
            if (k.Syscalls.ShmWrite(User, slot, buf) != MemFault.None)
                Fail($"write {id}");
            _lastWritten[id] = _counter;
        }

        private void Detach()
        {
            if (Held.Count == 0)
                return;
            var i = _random.Next(Held.Count);
            var e = k.Syscalls.ShmDt(User, Held[i].Addr);
            if (e != Errno.OK)
                Fail($"shmdt {Held[i].Id}: {e.Name()}");
            Held.RemoveAt(i);
        }

        private void ExitAndRespawn(Jail jail)
        {
            // The exit hook detaches every attachment; a removed segment goes with its last one.
            k.Processes.Exit(User);
            Held.Clear();
            User = k.Spawn(jail, 770, 770);
        }

        private void RemoveSomething()
        {
            // Root of the thread's jail (the host's can reach every jail) removes a visible segment by id.
            var visible = k.Segments(root);
            if (visible.Count == 0)
                return;
            var victim = visible[_random.Next(visible.Count)].Id;
            var e = k.Rmid(root, victim);
            if (e is not (Errno.OK or Errno.EINVAL)) // EINVAL: freed by another thread meanwhile
                Fail($"IPC_RMID {victim}: {e.Name()}");
        }

        private void CheckListing(Jail jail)
        {
            foreach (var seg in k.Segments(User))
            {
                if (!jail.IsHost && seg.CreatorJid != jail.Id)
                    Fail($"jail {jail.Id} lists segment {seg.Id} of jail {seg.CreatorJid}");
                if (seg.CreatorJid != jail.Id && seg.Ds.Perm.Key != 0)
                    Fail($"jail {jail.Id} sees the key of segment {seg.Id} of jail {seg.CreatorJid}");
            }
        }

        private void Fail(string message) => Failure ??= message;
    }
}
