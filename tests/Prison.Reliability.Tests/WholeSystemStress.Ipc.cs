using System.Collections.Concurrent;
using System.Text;
using Prison.Core;
using Prison.Core.Ipc;
using Prison.Core.Procs;

namespace Prison.Reliability.Tests;

/// <summary>
/// The System V side of the stress, with the books kept to prove no unit is lost or duplicated:
/// semaphore tokens are counted per (generation, id, semnum); every message carries a unique tag.
/// </summary>
internal sealed partial class WholeSystemStress
{
    private const int Mode = 0x1B6; // 0666: every uid of the run may use every object it can see.
    private static readonly int[] Keys = [IpcConstants.IPC_PRIVATE, 11, 12, 13];

    // Ids handed out by semget / msgget / shmget, with the module generation they were made in.
    private readonly ConcurrentDictionary<(int Gen, int Id), int> _semSets = new(); // value: nsems
    private readonly ConcurrentDictionary<(int Gen, int Id), byte> _queues = new();
    private readonly ConcurrentDictionary<(int Gen, int Id), byte> _segments = new();

    // Semaphore books: net tokens per (gen, id, semnum) from calls whose generation was certain.
    private readonly ConcurrentDictionary<(int Gen, int Id, int Num), long> _tokens = new();
    private readonly ConcurrentDictionary<(int Gen, int Id), byte> _uncertainSets = new();

    // Message books: tag -> (gen, queue, type) for sends whose generation was certain; other sends by tag.
    private readonly ConcurrentDictionary<string, (int Gen, int Id, long Type)> _sent = new();
    private readonly ConcurrentDictionary<string, byte> _uncertainSent = new();
    private readonly ConcurrentDictionary<string, long> _received = new();
    private int _tags;

    private void IpcStep(Random rng)
    {
        var proc = SomeProc(rng);
        switch (rng.Next(20))
        {
            case < 2: SemGet(rng, proc); break;
            case < 6: SemPost(rng, proc); break;
            case < 9: SemWait(rng, proc); break;
            case < 11: MsgGet(rng, proc); break;
            case < 14: MsgSend(rng, proc); break;
            case < 17: MsgReceive(rng, proc); break;
            case < 19: ShmCycle(rng, proc); break;
            default: RemoveSomething(rng, proc); break;
        }
    }

    private int Gen(int kind) => Volatile.Read(ref _generation[kind]);

    /// <summary>The generation a call ran in, or -1 when the module changed (or was changing) meanwhile.</summary>
    private static int Certain(int before, int after) => before == after && before % 2 == 0 ? before : -1;

    private void SemGet(Random rng, Proc proc)
    {
        var key = Pick(rng, Keys);
        var nsems = rng.Next(1, 4);
        var g = Gen(Sem);
        var r = Call($"semget({key}, {nsems})", () => Kernel.Syscalls.SemGet(proc, key, nsems, IpcConstants.IPC_CREAT | Mode));
        var gen = Certain(g, Gen(Sem));
        // EINVAL: an existing key with fewer semaphores; ENOSYS: disabled or not loaded; ENOSPC: limits.
        Expect("semget", r.Error, Errno.OK, Errno.EINTR, Errno.EINVAL, Errno.ENOSYS, Errno.ENOSPC, Errno.EACCES);
        if (r.Ok && gen >= 0)
            _semSets.TryAdd((gen, r.Value), nsems);
    }

    private void SemPost(Random rng, Proc proc) => SemOp(rng, proc, post: true);

    private void SemWait(Random rng, Proc proc) => SemOp(rng, proc, post: false);

    private void SemOp(Random rng, Proc proc, bool post)
    {
        if (_semSets.IsEmpty)
            return;
        var ((_, id), nsems) = Pick(rng, _semSets.ToArray());
        var sops = new List<SemBuf>();
        var count = rng.Next(1, 3);
        for (var i = 0; i < count; i++)
        {
            var num = (ushort)rng.Next(nsems);
            if (sops.Any(s => s.Num == num))
                continue;
            var amount = (short)rng.Next(1, 3);
            // A wait may come with a post on another semaphore: atomicity says both or neither happen.
            var op = post || i > 0 ? amount : (short)-amount;
            var flags = (short)(rng.Next(3) == 0 ? IpcConstants.IPC_NOWAIT : 0);
            sops.Add(new SemBuf(num, op, flags));
        }
        var g = Gen(Sem);
        var array = sops.ToArray();
        var e = Call($"semop({id}, {string.Join(" ", array.Select(s => $"{s.Num}:{s.Op}"))})", () => Kernel.Syscalls.SemOp(proc, id, array));
        var after = Gen(Sem);
        var gen = Certain(g, after);
        Expect("semop", e, Errno.OK, Errno.EAGAIN, Errno.EINTR, Errno.EIDRM, Errno.EINVAL, Errno.ENOSYS, Errno.EFBIG, Errno.ERANGE, Errno.EACCES);
        if (e != Errno.OK)
            return;
        if (gen < 0)
        {
            // The call ran while the module was (maybe) changing: it reached the instance before the
            // change or the one after, whose even generations lie around both readings. A refused unload
            // goes back to the same even value, so the instance before is g - 1 when g was odd.
            for (var x = Math.Min(g, after) - 1; x <= Math.Max(g, after) + 1; x++)
                _uncertainSets.TryAdd((x, id), 0);
            return;
        }
        foreach (var s in array)
            _tokens.AddOrUpdate((gen, id, s.Num), s.Op, (_, v) => v + s.Op);
    }

    private void MsgGet(Random rng, Proc proc)
    {
        var key = Pick(rng, Keys);
        var g = Gen(Msg);
        var r = Call($"msgget({key})", () => Kernel.Syscalls.MsgGet(proc, key, IpcConstants.IPC_CREAT | Mode));
        var gen = Certain(g, Gen(Msg));
        Expect("msgget", r.Error, Errno.OK, Errno.EINTR, Errno.ENOSYS, Errno.ENOSPC, Errno.EACCES);
        if (r.Ok && gen >= 0)
            _queues.TryAdd((gen, r.Value), 0);
    }

    private void MsgSend(Random rng, Proc proc)
    {
        if (_queues.IsEmpty)
            return;
        var (_, id) = Pick(rng, _queues.Keys.ToArray());
        var type = (long)rng.Next(1, 4);
        var tag = $"{_seed}:{Interlocked.Increment(ref _tags)}:{type}";
        var body = Encoding.ASCII.GetBytes(tag);
        var flags = rng.Next(2) == 0 ? IpcConstants.IPC_NOWAIT : 0;
        var g = Gen(Msg);
        var e = Call($"msgsnd({id}, {tag})", () => Kernel.Syscalls.MsgSnd(proc, id, type, body, (ulong)body.Length, flags));
        var gen = Certain(g, Gen(Msg));
        Expect("msgsnd", e, Errno.OK, Errno.EAGAIN, Errno.EINTR, Errno.EIDRM, Errno.EINVAL, Errno.ENOSYS, Errno.EACCES);
        if (e != Errno.OK)
            return;
        if (gen >= 0)
            _sent[tag] = (gen, id, type);
        else
            _uncertainSent[tag] = 0;
    }

    private void MsgReceive(Random rng, Proc proc)
    {
        if (_queues.IsEmpty)
            return;
        var (_, id) = Pick(rng, _queues.Keys.ToArray());
        var msgtyp = (long)Pick(rng, new[] { 0, 1, 2, -2, 3 });
        var flags = rng.Next(2) == 0 ? IpcConstants.IPC_NOWAIT : 0;
        var buffer = new byte[64];
        long mtype = 0;
        var r = Call($"msgrcv({id}, {msgtyp})", () => Kernel.Syscalls.MsgRcv(proc, id, buffer, (ulong)buffer.Length, msgtyp, flags, out mtype));
        Expect("msgrcv", r.Error, Errno.OK, Errno.ENOMSG, Errno.EINTR, Errno.EIDRM, Errno.EINVAL, Errno.ENOSYS, Errno.EACCES);
        if (r.Ok)
            NoteReceived(Encoding.ASCII.GetString(buffer, 0, r.Value), mtype, msgtyp);
    }

    private void NoteReceived(string tag, long mtype, long msgtyp)
    {
        if (!_received.TryAdd(tag, mtype))
            Fail($"message {tag} was received twice");
        var typeInTag = long.Parse(tag[(tag.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        if (typeInTag != mtype)
            Fail($"message {tag} came back with type {mtype}");
        if ((msgtyp > 0 && mtype != msgtyp) || (msgtyp < 0 && mtype > -msgtyp))
            Fail($"msgrcv for type {msgtyp} returned a message of type {mtype}");
    }

    private void ShmCycle(Random rng, Proc proc)
    {
        var key = Pick(rng, Keys);
        var size = (ulong)rng.Next(1, 3) * IpcConstants.PAGE_SIZE;
        var g = Gen(Shm);
        var r = Call($"shmget({key}, {size})", () => Kernel.Syscalls.ShmGet(proc, key, size, IpcConstants.IPC_CREAT | Mode));
        var gen = Certain(g, Gen(Shm));
        Expect("shmget", r.Error, Errno.OK, Errno.EINTR, Errno.EINVAL, Errno.ENOSYS, Errno.ENOSPC, Errno.ENOMEM, Errno.EACCES);
        if (!r.Ok)
            return;
        if (gen >= 0)
            _segments.TryAdd((gen, r.Value), 0);
        var at = Call($"shmat({r.Value})", () => Kernel.Syscalls.ShmAt(proc, r.Value, 0, 0));
        Expect("shmat", at.Error, Errno.OK, Errno.EINTR, Errno.EINVAL, Errno.EIDRM, Errno.ENOSYS, Errno.EMFILE, Errno.ENOMEM, Errno.EACCES);
        if (!at.Ok)
            return;
        var text = Encoding.ASCII.GetBytes("pid " + proc.Pid);
        var copy = new byte[text.Length];
        var wrote = Call("shm write", () => Kernel.Syscalls.ShmWrite(proc, at.Value, text) == MemFault.None ? Errno.OK : Errno.EFAULT);
        var read = Call("shm read", () => Kernel.Syscalls.ShmRead(proc, at.Value, copy) == MemFault.None ? Errno.OK : Errno.EFAULT);
        // A fault is possible only when the process died (its mappings went) or the module went away.
        if ((wrote != Errno.OK || read != Errno.OK) && !proc.HasExited && Gen(Shm) == g)
            Fail($"shm access through a fresh attachment faulted (pid {proc.Pid})");
        if (rng.Next(2) == 0)
            Call($"shmdt({at.Value})", () => Kernel.Syscalls.ShmDt(proc, at.Value));
    }

    private void RemoveSomething(Random rng, Proc proc)
    {
        switch (rng.Next(3))
        {
            case 0 when !_semSets.IsEmpty:
                var (_, semid) = Pick(rng, _semSets.Keys.ToArray());
                Expect("semctl IPC_RMID", Call($"semctl({semid}, IPC_RMID)", () => Kernel.Syscalls.SemCtl(proc, semid, 0, IpcConstants.IPC_RMID)).Error,
                    Errno.OK, Errno.EINVAL, Errno.EACCES, Errno.ENOSYS, Errno.EIDRM, Errno.EINTR);
                break;
            case 1 when !_queues.IsEmpty:
                var (_, msqid) = Pick(rng, _queues.Keys.ToArray());
                var ds = default(MsqidDs);
                Expect("msgctl IPC_RMID", Call($"msgctl({msqid}, IPC_RMID)", () => Kernel.Syscalls.MsgCtl(proc, msqid, IpcConstants.IPC_RMID, ref ds)).Error,
                    Errno.OK, Errno.EINVAL, Errno.EACCES, Errno.ENOSYS, Errno.EIDRM, Errno.EINTR);
                break;
            case 2 when !_segments.IsEmpty:
                var (_, shmid) = Pick(rng, _segments.Keys.ToArray());
                var sds = default(ShmidDs);
                Expect("shmctl IPC_RMID", Call($"shmctl({shmid}, IPC_RMID)", () => Kernel.Syscalls.ShmCtl(proc, shmid, IpcConstants.IPC_RMID, ref sds)).Error,
                    Errno.OK, Errno.EINVAL, Errno.EACCES, Errno.ENOSYS, Errno.EIDRM, Errno.EINTR);
                break;
        }
    }

    /// <summary>Interrupts: a signal (EINTR), a process exit, or the removal of a jail or an object.</summary>
    private void InterruptStep(Random rng)
    {
        Thread.Sleep(1);
        var all = _procs.Values.ToArray();
        if (all.Length == 0)
            return;
        var roll = rng.Next(10);
        if (roll < 7)
            Call("signal", () => Signal(Pick(rng, all)));
        else if (roll < 8)
            KillOne(rng);
        else if (roll < 9)
            RemoveJail(rng);
        else
            RemoveSomething(rng, Root);
    }

    private static Errno Signal(Proc proc)
    {
        proc.Signal();
        return Errno.OK;
    }
}
