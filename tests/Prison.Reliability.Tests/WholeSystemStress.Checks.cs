using System.Collections;
using System.Text;
using Prison.Core;
using Prison.Core.Ipc;
using Prison.Core.Jails;
using Prison.Core.Modules;
using Prison.Core.Procs;
using Prison.Core.Zfs;

namespace Prison.Reliability.Tests;

/// <summary>ZFS traffic, module and service churn, and the invariant checks (during the run and at its end).</summary>
internal sealed partial class WholeSystemStress
{
    private static readonly string[] ListSysctls = ["kern.ipc.shmsegs", "kern.ipc.sema", "kern.ipc.msqids"];
    private readonly int[] _unloads = new int[ModuleNames.Length];
    private int _ledgerNames;

    private void ZfsStep(Random rng)
    {
        var name = "tank/" + NextName();
        switch (rng.Next(8))
        {
            case 0:
                Call("zpool create tank", () => Kernel.Syscalls.ZpoolCreate(Root, "tank"));
                break;
            case < 3:
                Call($"zfs create {name}", () => Kernel.Syscalls.ZfsCreate(Root, name, properties: [new("jailed", "on")]));
                break;
            case 3:
                var jail = Pick(rng, LiveJails());
                if (Datasets() is { Count: > 0 } ds)
                    Call($"zfs jail {jail.Id}", () => Kernel.Syscalls.ZfsJail(Root, Int(jail.Id), Pick(rng, ds)));
                break;
            case 4:
                if (Datasets() is { Count: > 0 } victims)
                    Call("zfs destroy -r", () => Kernel.Syscalls.ZfsDestroy(Root, Pick(rng, victims), recursive: true));
                break;
            case 5:
                var proc = SomeProc(rng);
                var listed = Call($"zfs list as pid {proc.Pid}", () => Kernel.Syscalls.ZfsList(proc));
                if (listed.Ok && listed.Value.Count > 0)
                    Call("zfs snapshot", () => Kernel.Syscalls.ZfsSnapshot(proc, Pick(rng, listed.Value).Name + "@" + NextName()));
                break;
            case 6:
                var writer = SomeProc(rng);
                var visible = Call("zfs list", () => Kernel.Syscalls.ZfsList(writer));
                if (visible.Ok && visible.Value.Count > 0)
                    Call("zfs write", () => Kernel.Syscalls.ZfsWrite(writer, Pick(rng, visible.Value).Name, "f", rng.Next(1, 4096)));
                break;
            default:
                var target = Pick(rng, LiveJails());
                var attached = Call($"zfs attached {target.Id}", () => Kernel.Syscalls.ZfsAttached(Root, Int(target.Id)));
                if (attached.Ok && attached.Value.Count > 0)
                    Call("zfs unjail", () => Kernel.Syscalls.ZfsUnjail(Root, Int(target.Id), Pick(rng, attached.Value)));
                break;
        }
    }

    private IReadOnlyList<string> Datasets()
    {
        var r = Call("zfs list", () => Kernel.Syscalls.ZfsList(Root));
        return r.Ok ? r.Value.Select(row => row.Name).Where(n => n.Contains('/', StringComparison.Ordinal)).ToArray() : [];
    }

    /// <summary>Unloads (politely: EBUSY is fine) and reloads a module, or churns a KPI service of our own.</summary>
    private void ModuleStep(Random rng)
    {
        Thread.Sleep(rng.Next(20, 60));
        if (rng.Next(3) == 0)
        {
            ChurnService(rng);
            return;
        }
        var kind = rng.Next(ModuleNames.Length);
        var name = ModuleNames[kind];
        // Odd while the module may be changing; back to the same even value when the unload is refused
        // (the same instance goes on), two more when a new instance was loaded.
        Interlocked.Increment(ref _generation[kind]);
        var r = Call($"kldunload {name}", () => Kernel.Modules.Unload(Root.Cred, name));
        Expect($"kldunload {name}", r.Error, Errno.OK, Errno.EBUSY);
        if (!r.Ok)
        {
            Interlocked.Decrement(ref _generation[kind]);
            return;
        }
        _unloads[kind]++;
        CheckNoLeakedModule();
        var loaded = Call($"kldload {name}", () => Kernel.Modules.Load(Root.Cred, name));
        Expect($"kldload {name}", loaded.Error, Errno.OK);
        Interlocked.Increment(ref _generation[kind]);
    }

    private void ChurnService(Random rng)
    {
        var registered = _ledgers.Where(l => l.Slot.IsRegistered && l.Ledger.Name != "ledger-0").ToArray();
        if (registered.Length > 0 && rng.Next(2) == 0)
        {
            var (ledger, slot) = Pick(rng, registered);
            Call($"deregister {ledger.Name}", () => Deregister(slot));
            if (ledger.Undestroyed() is { Count: > 0 } left)
                Fail($"{ledger.Name} deregistered with create but no destroy for jails {string.Join(", ", left.Select(j => j.Id))}");
            return;
        }
        var fresh = new PairLedger("ledger-" + Interlocked.Increment(ref _ledgerNames));
        var definition = fresh.Definition();
        var slotResult = Call($"register {fresh.Name}", () =>
            SysResult<Prison.Core.Services.IServiceSlot>.Success(Kernel.Services.Register(definition)));
        _ledgers.Add((fresh, slotResult.Value));
    }

    private static Errno Deregister(Prison.Core.Services.IServiceSlot slot)
    {
        slot.Deregister();
        return Errno.OK;
    }

    private void CheckNoLeakedModule()
    {
        foreach (var m in Kernel.Modules.List().Where(m => m.State == ModuleState.Leaked))
            Fail($"module {m.Name} was unloaded but its load context was not collected");
    }

    /// <summary>
    /// Reads every object list as root of a random jail: each listed object's creator must be inside the
    /// caller's namespace root (the jail itself for <c>new</c>, the root it inherits, nothing when disabled).
    /// </summary>
    private void WatchStep(Random rng)
    {
        Thread.Sleep(1);
        var candidates = _jails.Values.ToArray();
        var jail = candidates.Length == 0 || rng.Next(5) == 0 ? Kernel.Prison0 : Pick(rng, candidates);
        var kind = rng.Next(ListSysctls.Length);
        var before = Gen(kind);
        if (before % 2 != 0 || !TryNamespaceRoot(jail, kind, out var root))
            return;
        var listing = Call($"sysctl {ListSysctls[kind]} in jail {jail.Id}", () => Kernel.Sysctl.Read(Ucred.Root(jail), ListSysctls[kind]));
        if (!listing.Ok || Gen(kind) != before)
            return;
        foreach (var (id, creatorJid) in Objects(listing.Value))
        {
            var creator = creatorJid == 0 ? Kernel.Prison0 : _jails.GetValueOrDefault(creatorJid);
            if (creator is null)
                Fail($"{ListSysctls[kind]} in jail {jail.Id} lists object {id} created by unknown jail {creatorJid}");
            else if (root is null)
                Fail($"{ListSysctls[kind]} in jail {jail.Id} (disabled) lists object {id} of jail {creatorJid}");
            else if (!root.IsSelfOrAncestorOf(creator))
                Fail($"{ListSysctls[kind]} in jail {jail.Id} (namespace root {root.Id}) lists object {id} of jail {creatorJid}, outside its namespace");
        }
    }

    /// <summary>The namespace root of <paramref name="jail"/> for one IPC kind, read with jail_get.</summary>
    private bool TryNamespaceRoot(Jail jail, int kind, out Jail? root)
    {
        root = null;
        for (var j = jail; ; j = j.Parent!)
        {
            if (j.IsHost)
            {
                root = j;
                return true;
            }
            var probe = j;
            var got = Call($"jail_get {IpcParameters[kind]} of {j.Id}", () =>
                Kernel.Syscalls.JailGet(Root, new JailParams { ["jid"] = Int(probe.Id), [IpcParameters[kind]] = null }, JailFlags.Dying));
            if (!got.Ok)
                return false;
            switch (got.Value[IpcParameters[kind]])
            {
                case "new":
                    root = j;
                    return true;
                case "disable":
                    return true;
                case "inherit":
                    continue;
                default:
                    return false;
            }
        }
    }

    private static IEnumerable<(int Id, int CreatorJid)> Objects(object listing)
    {
        foreach (var item in (IEnumerable)listing)
        {
            yield return item switch
            {
                ShmSegmentInfo s => (s.Id, s.CreatorJid),
                SemSetInfo s => (s.Id, s.CreatorJid),
                MsgQueueInfo q => (q.Id, q.CreatorJid),
                _ => throw new InvalidOperationException($"unexpected list item {item.GetType()}"),
            };
        }
    }

    /// <summary>After every thread returned: the books must balance, then everything is torn down.</summary>
    private void FinalChecks()
    {
        _threadIndex = -1;
        foreach (var (ledger, _) in _ledgers)
        {
            foreach (var v in ledger.Violations)
                Fail(v);
        }
        CheckSemaphoreBooks();
        CheckMessageBooks();
        TearDown();
    }

    private void CheckSemaphoreBooks()
    {
        var gen = Gen(Sem);
        foreach (var ((g, id), nsems) in _semSets)
        {
            if (g != gen || _uncertainSets.ContainsKey((g, id)))
                continue;
            var values = new SemUn { Array = new ushort[nsems] };
            var all = Call($"semctl({id}, GETALL)", () => Kernel.Syscalls.SemCtl(Root, id, 0, IpcConstants.GETALL, values));
            if (!all.Ok)
                continue; // removed (IPC_RMID, jail removal): its tokens went with it
            for (var num = 0; num < nsems; num++)
            {
                var expected = _tokens.GetValueOrDefault((g, id, num));
                if (values.Array[num] != expected)
                    Fail($"semaphore {id}[{num}] holds {values.Array[num]} tokens, the books say {expected}");
            }
        }
    }

    private void CheckMessageBooks()
    {
        var gen = Gen(Msg);
        var survivors = new HashSet<int>();
        foreach (var (g, id) in _queues.Keys.Where(k => k.Gen == gen))
        {
            var buffer = new byte[64];
            while (true)
            {
                long mtype = 0;
                var r = Call($"drain msgrcv({id})", () => Kernel.Syscalls.MsgRcv(Root, id, buffer, (ulong)buffer.Length, 0, IpcConstants.IPC_NOWAIT, out mtype));
                if (!r.Ok)
                {
                    if (r.Error == Errno.ENOMSG)
                        survivors.Add(id);
                    break;
                }
                NoteReceived(Encoding.ASCII.GetString(buffer, 0, r.Value), mtype, 0);
            }
        }
        foreach (var tag in _received.Keys)
        {
            if (!_sent.ContainsKey(tag) && !_uncertainSent.ContainsKey(tag))
                Fail($"message {tag} was received but never sent");
        }
        foreach (var (tag, (g, id, _)) in _sent)
        {
            if (g == gen && survivors.Contains(id) && !_received.ContainsKey(tag))
                Fail($"message {tag} sent to queue {id}, which still exists, was lost");
        }
    }

    /// <summary>Removes the IPC objects left in prison0's namespaces and unmounts every zfs file system.</summary>
    private void RemoveHostObjects()
    {
        if (Kernel.Sysctl.Read(Root.Cred, "kern.ipc.sema") is { Ok: true, Value: IReadOnlyList<SemSetInfo> sets })
        {
            foreach (var set in sets)
                Expect("semctl IPC_RMID", Call($"semctl({set.Id}, IPC_RMID)", () => Kernel.Syscalls.SemCtl(Root, set.Id, 0, IpcConstants.IPC_RMID)).Error, Errno.OK);
        }
        if (Kernel.Sysctl.Read(Root.Cred, "kern.ipc.msqids") is { Ok: true, Value: IReadOnlyList<MsgQueueInfo> queues })
        {
            foreach (var q in queues)
            {
                var ds = default(MsqidDs);
                Expect("msgctl IPC_RMID", Call($"msgctl({q.Id}, IPC_RMID)", () => Kernel.Syscalls.MsgCtl(Root, q.Id, IpcConstants.IPC_RMID, ref ds)).Error, Errno.OK);
            }
        }
        if (Kernel.Sysctl.Read(Root.Cred, "kern.ipc.shmsegs") is { Ok: true, Value: IReadOnlyList<ShmSegmentInfo> segments })
        {
            foreach (var seg in segments)
            {
                var ds = default(ShmidDs);
                Expect("shmctl IPC_RMID", Call($"shmctl({seg.Id}, IPC_RMID)", () => Kernel.Syscalls.ShmCtl(Root, seg.Id, IpcConstants.IPC_RMID, ref ds)).Error, Errno.OK);
            }
        }
        foreach (var m in Kernel.Vfs.MountsOf("zfs"))
            Kernel.Vfs.ForceUnmount(m);
    }

    /// <summary>Removes every jail, exits every process, force-unloads every module: nothing may be left.</summary>
    private void TearDown()
    {
        foreach (var p in _procs.Values)
            Call($"exit pid {p.Pid}", () => Exit(p));
        foreach (var j in Kernel.Jails.List(Kernel.Prison0).Where(j => j.Depth == 1))
            Call($"jail -r {j.Id}", () => Kernel.Syscalls.JailRemove(Root, j.Id));
        // kldunload -f skips only the quiesce veto: each module refuses while objects of it exist (FreeBSD's
        // shmunload, semunload, msgunload, vfs_unregister), so what the host still holds goes first.
        RemoveHostObjects();
        foreach (var name in ModuleNames.Reverse())
        {
            if (Kernel.Modules.Find(name) is not null)
                Expect($"kldunload -f {name}", Call($"kldunload -f {name}", () => Kernel.Modules.Unload(Root.Cred, name, force: true)).Error, Errno.OK);
        }
        CheckNoLeakedModule();
        var left = Kernel.Jails.List(Kernel.Prison0, includeDying: true);
        if (left.Count > 0)
            Fail($"jails left after removing everything: {string.Join(", ", left.Select(j => $"{j.Id} {j.State}"))}");
        if (Kernel.Prison0.ChildrenCur != 0)
            Fail($"prison0 children.cur is {Kernel.Prison0.ChildrenCur} with no jail left");
        foreach (var (ledger, slot) in _ledgers)
        {
            var undestroyed = ledger.Undestroyed().Where(j => !j.IsHost).ToArray();
            if (undestroyed.Length > 0)
                Fail($"{ledger.Name}: jails freed without destroy: {string.Join(", ", undestroyed.Select(j => j.Id))}");
            slot.Deregister();
            if (ledger.Undestroyed().Count > 0)
                Fail($"{ledger.Name}: prison0 not destroyed at deregistration");
            foreach (var v in ledger.Violations)
                Fail(v);
        }
        foreach (var error in _logs.Records)
            Fail($"kernel logged an error: {error.Category}: {error.Message}");
    }

    /// <summary>How much the run did, for the test output.</summary>
    public string Summary() =>
        $"seed {_seed}: {_jails.Count} jails, {_semSets.Count} sem sets, {_queues.Count} queues, {_segments.Count} segments, " +
        $"{_sent.Count + _uncertainSent.Count} messages sent, {_received.Count} received, " +
        $"unloads {string.Join("/", _unloads)}, {_ledgers.Count} KPI ledgers; " +
        string.Join(", ", Phases.Select(p => $"{p.Phase} {p.At.TotalSeconds:0.0}s"));
}
