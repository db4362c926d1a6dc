using FsCheck;
using FsCheck.Fluent;
using Microsoft.FSharp.Core;
using Prison.Core;
using Prison.Core.Ipc;
using Prison.Core.Jails;
using Prison.Core.Procs;
using Prison.Plugins.SysvMsg;
using Prison.Plugins.SysvSem;
using Prison.Plugins.SysvShm;
using static Prison.Core.Ipc.IpcConstants;

namespace Prison.Reliability.Tests;

/// <summary>
/// Property tests on System V syscall arguments against the real modules: keys, sizes, flags, ids,
/// negative and huge values, sembuf arrays, message sizes and types, from callers in and out of jails.
/// Every call returns (no exception), its errno is one the call documents, and a failed call changes
/// nothing (the kernel snapshot and the object lists are the same before and after).
/// </summary>
public class HostileSyscallTests
{
    /// <summary>The seed every property runs with (FsCheck prints it with a failing case).</summary>
    private const ulong Seed = 20250611;

    /// <summary>The second half of the replayed generator state (an odd number, as SplitMix wants).</summary>
    private const ulong Gamma = 0x9E3779B97F4A7C15;

    private static readonly Dictionary<string, Errno[]> Documented = new()
    {
        ["shmget"] = [Errno.EINVAL, Errno.ENOENT, Errno.EEXIST, Errno.ENOSPC, Errno.ENOMEM, Errno.EACCES, Errno.ENOSYS],
        ["shmat"] = [Errno.EINVAL, Errno.EACCES, Errno.ENOMEM, Errno.EMFILE, Errno.ENOSYS],
        ["shmdt"] = [Errno.EINVAL, Errno.ENOSYS],
        ["shmctl"] = [Errno.EINVAL, Errno.EACCES, Errno.EPERM, Errno.EFAULT, Errno.ENOMEM, Errno.ENOSYS],
        ["semget"] = [Errno.EINVAL, Errno.ENOENT, Errno.EEXIST, Errno.ENOSPC, Errno.EACCES, Errno.ENOSYS],
        // EWOULDSLEEP: the kernel-internal answer of a call asked not to sleep (WaitPolicy.ReportWouldSleep).
        ["semop"] = [Errno.EINVAL, Errno.E2BIG, Errno.EFBIG, Errno.EACCES, Errno.EAGAIN, Errno.ERANGE, Errno.ENOSPC, Errno.ENOSYS, Errno.EWOULDSLEEP],
        ["semctl"] = [Errno.EINVAL, Errno.EACCES, Errno.EPERM, Errno.ERANGE, Errno.EFAULT, Errno.ENOSYS],
        ["msgget"] = [Errno.ENOENT, Errno.EEXIST, Errno.ENOSPC, Errno.EACCES, Errno.ENOSYS],
        ["msgsnd"] = [Errno.EINVAL, Errno.EACCES, Errno.EAGAIN, Errno.EFAULT, Errno.ENOSYS, Errno.EWOULDSLEEP],
        ["msgrcv"] = [Errno.EINVAL, Errno.EACCES, Errno.E2BIG, Errno.ENOMSG, Errno.EFAULT, Errno.ENOSYS, Errno.EWOULDSLEEP],
        ["msgctl"] = [Errno.EINVAL, Errno.EACCES, Errno.EPERM, Errno.EFAULT, Errno.ENOSYS],
    };

    [Fact]
    public void Get_calls_with_hostile_keys_sizes_and_flags() => Check(world => Gen.OneOf(
        from caller in Callers(world)
        from key in Keys()
        from size in Sizes()
        from flags in Flags()
        select new HostileCall("shmget", $"shmget({key}, {size}, {flags:x}) as {caller}", w => w.K.Syscalls.ShmGet(caller.Proc, key, size, flags).Error),
        from caller in Callers(world)
        from key in Keys()
        from nsems in Ints()
        from flags in Flags()
        select new HostileCall("semget", $"semget({key}, {nsems}, {flags:x}) as {caller}", w => w.K.Syscalls.SemGet(caller.Proc, key, nsems, flags).Error),
        from caller in Callers(world)
        from key in Keys()
        from flags in Flags()
        select new HostileCall("msgget", $"msgget({key}, {flags:x}) as {caller}", w => w.K.Syscalls.MsgGet(caller.Proc, key, flags).Error)));

    [Fact]
    public void Semop_and_semctl_with_hostile_ids_and_sembuf_arrays() => Check(world => Gen.OneOf(
        from caller in Callers(world)
        from id in Ids(world.SemIds)
        from sops in SemBufs()
        select new HostileCall("semop", $"semop({id}, [{string.Join(" ", sops.Select(s => $"{s.Num}:{s.Op}:{s.Flg:x}"))}]) as {caller}",
            w => w.K.Syscalls.SemOp(caller.Proc, id, sops, WaitPolicy.ReportWouldSleep)),
        from caller in Callers(world)
        from id in Ids(world.SemIds)
        from semnum in Ints()
        from cmd in Gen.Choose(-2, 20)
        from val in Ints()
        from array in Gen.Elements<ushort[]?>(null, [], [1], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])
        select new HostileCall("semctl", $"semctl({id}, {semnum}, {cmd}, val {val}, array {array?.Length}) as {caller}",
            w => w.K.Syscalls.SemCtl(caller.Proc, id, semnum, cmd, cmd == -2 ? null : new SemUn { Val = val, Array = array }).Error)));

    [Fact]
    public void Msgsnd_msgrcv_and_msgctl_with_hostile_sizes_and_types() => Check(world => Gen.OneOf(
        from caller in Callers(world)
        from id in Ids(world.MsgIds)
        from mtype in Types()
        from length in Gen.Choose(0, 64)
        from msgsz in Sizes()
        from flags in Flags()
        select new HostileCall("msgsnd", $"msgsnd({id}, type {mtype}, {length} bytes, msgsz {msgsz}, {flags:x}) as {caller}",
            w => w.K.Syscalls.MsgSnd(caller.Proc, id, mtype, new byte[length], msgsz, flags, WaitPolicy.ReportWouldSleep)),
        from caller in Callers(world)
        from id in Ids(world.MsgIds)
        from msgtyp in Types()
        from length in Gen.Choose(0, 64)
        from msgsz in Sizes()
        from flags in Flags()
        select new HostileCall("msgrcv", $"msgrcv({id}, type {msgtyp}, buffer {length}, msgsz {msgsz}, {flags:x}) as {caller}",
            w => w.K.Syscalls.MsgRcv(caller.Proc, id, new byte[length], msgsz, msgtyp, flags, out _, WaitPolicy.ReportWouldSleep).Error),
        from caller in Callers(world)
        from id in Ids(world.MsgIds)
        from cmd in Gen.Choose(-2, 20)
        from qbytes in Sizes()
        select new HostileCall("msgctl", $"msgctl({id}, {cmd}, qbytes {qbytes}) as {caller}", w =>
        {
            var ds = new MsqidDs { Qbytes = qbytes, Perm = new IpcPerm(0, 0, 0, 0, 0x1ff, 0, 0) };
            return w.K.Syscalls.MsgCtl(caller.Proc, id, cmd, ref ds).Error;
        })));

    [Fact]
    public void Shmat_shmdt_and_shmctl_with_hostile_ids_and_addresses() => Check(world => Gen.OneOf(
        from caller in Callers(world)
        from id in Ids(world.ShmIds)
        from addr in Sizes()
        from flags in Flags()
        select new HostileCall("shmat", $"shmat({id}, {addr:x}, {flags:x}) as {caller}", w => w.K.Syscalls.ShmAt(caller.Proc, id, addr, flags).Error),
        from caller in Callers(world)
        from addr in Sizes()
        select new HostileCall("shmdt", $"shmdt({addr:x}) as {caller}", w => w.K.Syscalls.ShmDt(caller.Proc, addr)),
        from caller in Callers(world)
        from id in Ids(world.ShmIds)
        from cmd in Gen.Choose(-2, 20)
        from mode in Ints()
        select new HostileCall("shmctl", $"shmctl({id}, {cmd}, mode {mode}) as {caller}", w =>
        {
            var ds = new ShmidDs { Perm = new IpcPerm(0, 0, 1, 1, mode, 0, 0) };
            return w.K.Syscalls.ShmCtl(caller.Proc, id, cmd, ref ds).Error;
        })));

    /// <summary>Runs one property over a fresh world, with the fixed seed.</summary>
    private static void Check(Func<World, Gen<HostileCall>> calls)
    {
        using var world = new World();
        var property = Prop.ForAll(calls(world).ToArbitrary(), call =>
        {
            var before = world.State();
            Errno error;
            try
            {
                error = call.Run(world);
            }
            catch (Exception ex)
            {
                throw new InvalidOperationException($"{call.Description} threw {ex.GetType().Name}: {ex.Message}", ex);
            }
            if (error == Errno.OK)
                return true;
            if (!Documented[call.Name].Contains(error))
                throw new InvalidOperationException($"{call.Description} returned {error.Name()}, not documented for {call.Name}");
            var after = world.State();
            if (after != before)
                throw new InvalidOperationException($"{call.Description} failed with {error.Name()} but changed the kernel:\n{Diff(before, after)}");
            return true;
        });
        var replay = new Replay(new Rnd(Seed, Gamma), FSharpOption<int>.None);
        FsCheck.Check.One(Config.QuickThrowOnFailure.WithMaxTest(400).WithReplay(FSharpOption<Replay>.Some(replay)), property);
    }

    private static string Diff(string before, string after)
    {
        var a = before.Split('\n');
        var b = after.Split('\n');
        return string.Join("\n", a.Except(b).Select(l => "- " + l).Concat(b.Except(a).Select(l => "+ " + l)).Take(20));
    }

    // --- generators -----------------------------------------------------------------------

    private static Gen<int> Ints() => Gen.Frequency(
        (3, Gen.Choose(-3, 20)),
        (1, Gen.Elements(int.MinValue, int.MaxValue, -1, 0, 1, 1 << 16, 65535, 65536, 0x7fff, 0x8000)),
        (2, ArbMap.Default.GeneratorFor<int>()));

    private static Gen<int> Keys() => Gen.Frequency(
        (3, Gen.Elements(IPC_PRIVATE, 1, 2, 3)),
        (1, Ints()));

    private static Gen<ulong> Sizes() => Gen.Frequency(
        (3, Gen.Elements<ulong>(0, 1, 8, 4096, 4097, 8192, 2048, 16384)),
        (1, Gen.Elements(ulong.MaxValue, (ulong)long.MaxValue, 1UL << 32, 1UL << 40, (ulong)int.MaxValue + 1)),
        (1, Ints().Select(i => (ulong)(long)i)));

    private static Gen<long> Types() => Gen.Frequency(
        (3, Gen.Elements(0L, 1L, 2L, -1L, -2L)),
        (1, Gen.Elements(long.MinValue, long.MaxValue, int.MinValue, (long)int.MaxValue + 1)));

    private static Gen<int> Flags() => Gen.Frequency(
        (4, from create in Gen.Elements(0, IPC_CREAT)
            from excl in Gen.Elements(0, IPC_EXCL)
            from mode in Gen.Elements(0x180, 0x1ff, 0x100, 0)
            from extra in Gen.Elements(0, SHM_RDONLY, SHM_RND, MSG_NOERROR)
            select create | excl | mode | extra | IPC_NOWAIT),
        (1, Ints()));

    private static Gen<int> Ids(IReadOnlyList<int> known) => Gen.Frequency(
        (3, Gen.Elements(known.ToArray())),
        (1, Gen.Elements(known.ToArray()).Select(id => id + (1 << 16))), // a stale id: the same slot, another sequence
        (2, Ints()));

    private static Gen<SemBuf[]> SemBufs() => Gen.Frequency(
        (6, Gen.Choose(0, 10).SelectMany(n => SemBufGen().ArrayOf(n))),
        (1, Gen.Choose(0, 1).Select(i => Enumerable.Repeat(new SemBuf(0, 1, (short)IPC_NOWAIT), i == 0 ? 101 : 5000).ToArray())));

    private static Gen<SemBuf> SemBufGen() =>
        from num in Gen.Frequency((4, Gen.Choose(0, 3)), (1, Gen.Elements(255, 65535)))
        from op in Gen.Frequency((4, Gen.Choose(-3, 3)), (1, Gen.Elements((int)short.MinValue, short.MaxValue, 32000)))
        from flg in Gen.Elements(0, IPC_NOWAIT, SEM_UNDO, IPC_NOWAIT | SEM_UNDO, -1)
        select new SemBuf((ushort)num, (short)op, (short)flg);

    private static Gen<Caller> Callers(World w) => Gen.Elements(w.Callers.ToArray());

    // --- the world ----------------------------------------------------------------------

    internal sealed record Caller(string Name, Proc Proc)
    {
        public override string ToString() => Name;
    }

    internal sealed record HostileCall(string Name, string Description, Func<World, Errno> Run)
    {
        public override string ToString() => Description;
    }

    /// <summary>A kernel with the three modules, two jails (one with its own namespaces, one without), and a few objects.</summary>
    internal sealed class World : IDisposable
    {
        public World()
        {
            K = new Kernel(new KernelOptions { Time = new FixedClock() });
            Assert.True(K.Modules.LoadInstance(new SysvShmModule()).Ok);
            Assert.True(K.Modules.LoadInstance(new SysvSemModule()).Ok);
            Assert.True(K.Modules.LoadInstance(new SysvMsgModule()).Ok);
            var own = Jail("own", "new");
            var none = Jail("none", "disable");
            var root = K.Processes.Spawn(Ucred.Root(K.Prison0), "root").Value;
            var user = K.Processes.Spawn(new Ucred(1001, 1001, [], K.Prison0), "user").Value;
            var jailRoot = K.Processes.Spawn(Ucred.Root(own), "jroot").Value;
            var disabled = K.Processes.Spawn(Ucred.Root(none), "droot").Value;
            Callers = [new("host root", root), new("host uid 1001", user), new("root of a jail with new namespaces", jailRoot), new("root of a disabled jail", disabled)];
            foreach (var p in new[] { root, jailRoot })
            {
                ShmIds.Add(K.Syscalls.ShmGet(p, 7, 4096, IPC_CREAT | 0x180).Value);
                SemIds.Add(K.Syscalls.SemGet(p, 7, 4, IPC_CREAT | 0x180).Value);
                MsgIds.Add(K.Syscalls.MsgGet(p, 7, IPC_CREAT | 0x180).Value);
                Assert.Equal(Errno.OK, K.Syscalls.MsgSnd(p, MsgIds[^1], 1, "hello"u8, 5, IPC_NOWAIT));
            }
        }

        public Kernel K { get; }

        public List<Caller> Callers { get; }

        public List<int> ShmIds { get; } = [];

        public List<int> SemIds { get; } = [];

        public List<int> MsgIds { get; } = [];

        /// <summary>Everything a failed call must leave alone: the snapshot and every caller's object lists.</summary>
        public string State()
        {
            var lists = Callers.SelectMany(c => new[] { "kern.ipc.shmsegs", "kern.ipc.sema", "kern.ipc.msqids" }
                .Select(n => $"{c.Name} {n}: {Describe(K.Sysctl.Read(c.Proc.Cred, n))}"));
            return K.Snapshot() + "\n" + string.Join("\n", lists);
        }

        public void Dispose() => K.Dispose();

        private static string Describe(SysResult<object> r) =>
            r.Ok ? string.Join(", ", ((System.Collections.IEnumerable)r.Value).Cast<object>()) : r.ToString();

        private Jail Jail(string name, string mode)
        {
            var p = new JailParams { ["name"] = name, ["persist"] = null, ["sysvshm"] = mode, ["sysvsem"] = mode, ["sysvmsg"] = mode };
            var r = K.Syscalls.JailSet(K.Init, p, JailFlags.Create);
            Assert.True(r.Ok, r.ToString());
            return K.Jails.Find(r.Value)!;
        }
    }

    private sealed class FixedClock : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
    }
}
