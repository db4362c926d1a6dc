using System.Globalization;
using Prison.Core;
using Prison.Core.Jails;
using Prison.Core.Procs;

namespace Prison.Reliability.Tests;

/// <summary>The jail and process side of the stress: create, nest, remove, attach, kill.</summary>
internal sealed partial class WholeSystemStress
{
    private static readonly string?[] Modes = ["new", "inherit", "disable", null];
    private static readonly string[] IpcParameters = ["sysvshm", "sysvsem", "sysvmsg"];
    private const int MaxDepth = 3;
    private const int MaxProcs = 48;

    /// <summary>Live jails of the run (plus prison0), for picking a target.</summary>
    private IReadOnlyList<Jail> LiveJails() =>
        [Kernel.Prison0, .. _jails.Values.Where(j => j.IsAlive)];

    private void JailStep(Random rng)
    {
        var roll = rng.Next(10);
        if (roll < 5)
            CreateJail(rng);
        else if (roll < 8)
            RemoveJail(rng);
        else
            CreateAttachedJail(rng);
    }

    private void CreateJail(Random rng)
    {
        var parent = Pick(rng, LiveJails().Where(j => j.Depth < MaxDepth).ToArray());
        var name = parent.IsHost ? NextName() : parent.Name + "." + NextName();
        // children.max must stay below the parent's (kern_jail_set), so it shrinks with depth.
        var childMax = Math.Max(Math.Min(16, parent.ChildrenMax - 1), 0);
        var p = new JailParams { ["name"] = name, ["persist"] = null, ["children.max"] = Int(childMax) };
        foreach (var param in IpcParameters)
        {
            if (Pick(rng, Modes) is { } mode)
                p[param] = mode;
        }
        if (rng.Next(4) == 0)
            p["allow.mount.zfs"] = "true";
        var r = Call($"jail -c {name}", () => Kernel.Syscalls.JailSet(Root, p, JailFlags.Create));
        // ENOENT: a parameter's module is being unloaded, or the parent died; EPERM: new/inherit under a
        // disabled parent, or the children limit; EINVAL: a parent that died while we built the name.
        Expect($"jail -c {name}", r.Error, Errno.OK, Errno.ENOENT, Errno.EPERM, Errno.EINVAL);
        if (r.Ok && Kernel.Jails.Find(r.Value) is { } jail)
            _jails[jail.Id] = jail;
    }

    /// <summary>A jail without persist that lives as long as the process created attached to it.</summary>
    private void CreateAttachedJail(Random rng)
    {
        var proc = Call("spawn", () => Kernel.Processes.Spawn(Ucred.Root(Kernel.Prison0), "attached"));
        if (!proc.Ok)
            return;
        var name = NextName();
        var p = new JailParams { ["name"] = name, ["sysvsem"] = Pick(rng, Modes), ["sysvmsg"] = Pick(rng, Modes) };
        foreach (var unset in p.Where(kv => kv.Value is null).Select(kv => kv.Key).ToArray())
            p.Remove(unset);
        var r = Call($"jail -c {name} (attach)", () => Kernel.Syscalls.JailSet(proc.Value, p, JailFlags.Create | JailFlags.Attach));
        Expect($"jail -c {name} (attach)", r.Error, Errno.OK, Errno.ENOENT, Errno.EPERM);
        if (r.Ok && Kernel.Jails.Find(r.Value) is { } jail)
            _jails[jail.Id] = jail;
        AddProc(proc.Value);
    }

    private void RemoveJail(Random rng)
    {
        var live = _jails.Values.Where(j => j.IsAlive).ToArray();
        if (live.Length == 0)
            return;
        var jail = Pick(rng, live);
        var e = Call($"jail -r {jail.Id}", () => Kernel.Syscalls.JailRemove(Root, jail.Id));
        Expect($"jail -r {jail.Id}", e, Errno.OK, Errno.EINVAL);
    }

    private void ProcStep(Random rng)
    {
        var roll = rng.Next(10);
        if (roll < 5)
        {
            // Spawn in the host and jail_attach into a random jail, as jexec does.
            var proc = Call("spawn", () => Kernel.Processes.Spawn(new Ucred(0, 0, [], Kernel.Prison0), "jexec"));
            var target = Pick(rng, LiveJails());
            if (!target.IsHost)
            {
                var r = Call($"jail_attach {target.Id}", () => Kernel.Syscalls.JailAttach(proc.Value, target.Id));
                Expect($"jail_attach {target.Id}", r.Error, Errno.OK, Errno.EINVAL);
            }
            if (rng.Next(3) == 0)
                Call($"setuid pid {proc.Value.Pid}", () => Kernel.Processes.SetUid(proc.Value, (uint)rng.Next(1000, 1003)));
            AddProc(proc.Value);
        }
        else if (roll < 8)
        {
            KillOne(rng);
        }
        else
        {
            var jail = Pick(rng, LiveJails());
            var proc = Call($"spawn in {jail.Id}", () => Kernel.Processes.Spawn(Ucred.Root(jail), "direct"));
            Expect($"spawn in {jail.Id}", proc.Error, Errno.OK, Errno.ENOENT);
            if (proc.Ok)
                AddProc(proc.Value);
        }
    }

    private void AddProc(Proc proc)
    {
        _procs[proc.Pid] = proc;
        // Keep the pool bounded: the oldest processes go first.
        while (_procs.Count > MaxProcs && _procs.Keys.DefaultIfEmpty().Min() is var oldest and > 0)
        {
            if (_procs.TryRemove(oldest, out var victim))
                Call($"exit pid {victim.Pid}", () => Exit(victim));
        }
    }

    private void KillOne(Random rng)
    {
        var all = _procs.Values.ToArray();
        if (all.Length == 0)
            return;
        var victim = Pick(rng, all);
        if (_procs.TryRemove(victim.Pid, out _))
            Call($"exit pid {victim.Pid}", () => Exit(victim));
    }

    private Errno Exit(Proc proc)
    {
        Kernel.Processes.Exit(proc);
        return Errno.OK;
    }

    /// <summary>A process to act as: a live one from the pool, or a fresh root process in the host.</summary>
    private Proc SomeProc(Random rng)
    {
        var all = _procs.Values.Where(p => !p.HasExited).ToArray();
        if (all.Length > 0 && rng.Next(6) != 0)
            return Pick(rng, all);
        var proc = Call("spawn", () => Kernel.Processes.Spawn(Ucred.Root(Kernel.Prison0), "ipc"));
        AddProc(proc.Value);
        return proc.Value;
    }

    private static string Int(int v) => v.ToString(CultureInfo.InvariantCulture);
}
