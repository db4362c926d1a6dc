using Prison.Core;
using Prison.Core.Ipc;
using Prison.Core.Jails;
using Prison.Core.Procs;
using Prison.Core.Zfs;
using Prison.Testing;
using static Prison.Core.Ipc.IpcConstants;

namespace Prison.Cli.Tests.Snapshots;

/// <summary>
/// One representative scenario per plugin, run on a fresh kernel that loads the real plugins from the
/// plugins folder. Each step advances the clock a second (when it is a <see cref="ManualTimeProvider"/>),
/// so the snapshots show which step set which time.
/// </summary>
internal static class SnapshotScenarios
{
    public const int PostgresKey = 5432001;

    /// <summary>A fresh kernel on <paramref name="time"/> (a new manual clock by default) with the named modules loaded.</summary>
    public static Kernel Boot(TimeProvider? time = null, params string[] modules)
    {
        var k = new Kernel(new KernelOptions { Time = time ?? new ManualTimeProvider() });
        foreach (var m in modules)
            Ok(k.Modules.Load(Ucred.Root(k.Prison0), m), $"kldload {m}");
        return k;
    }

    /// <summary>
    /// The FreeBSD 11 SYSVIPC note: two postgres jails with <c>sysvshm=new</c>, each with a 1 MiB segment under key 5432001,
    /// attached, pg1's holding "pg1"; plus a host segment removed while attached (destroy deferred).
    /// Returns pgsql02's process and where it attached its segment.
    /// </summary>
    public static (Proc Pg2, ulong Pg2Address) Shm(Kernel k)
    {
        var pg1 = NewJail(k, "pgsql01", ("sysvshm", "new"));
        var pg2 = NewJail(k, "pgsql02", ("sysvshm", "new"));
        var p1 = Spawn(k, pg1, 770);
        var p2 = Spawn(k, pg2, 770);
        var id1 = Ok(k.Syscalls.ShmGet(p1, PostgresKey, 1 << 20, IPC_CREAT | IPC_EXCL | 0x180), "shmget pg1");
        Tick(k);
        var id2 = Ok(k.Syscalls.ShmGet(p2, PostgresKey, 1 << 20, IPC_CREAT | IPC_EXCL | 0x180), "shmget pg2");
        Tick(k);
        var at1 = Ok(k.Syscalls.ShmAt(p1, id1, 0, 0), "shmat pg1");
        Assert.Equal(MemFault.None, k.Syscalls.ShmWrite(p1, at1, "pg1"u8));
        var at2 = Ok(k.Syscalls.ShmAt(p2, id2, 0, 0), "shmat pg2");
        Tick(k);
        var host = Spawn(k, k.Prison0, 0);
        var id3 = Ok(k.Syscalls.ShmGet(host, IPC_PRIVATE, 100, IPC_CREAT | 0x1a4), "shmget host");
        Ok(k.Syscalls.ShmAt(host, id3, 0, 0), "shmat host");
        Tick(k);
        var buf = default(ShmidDs);
        Ok(k.Syscalls.ShmCtl(host, id3, IPC_RMID, ref buf), "shmctl IPC_RMID");
        return (p2, at2);
    }

    /// <summary>A set of three semaphores in a jail: values set, one semop with SEM_UNDO by a worker.</summary>
    public static void Sem(Kernel k)
    {
        var app = NewJail(k, "app", ("sysvsem", "new"));
        var owner = Spawn(k, app, 1001);
        var id = Ok(k.Syscalls.SemGet(owner, 77, 3, IPC_CREAT | 0x180), "semget");
        Tick(k);
        Ok(k.Syscalls.SemCtl(owner, id, 0, SETVAL, new SemUn { Val = 5 }), "semctl SETVAL");
        Ok(k.Syscalls.SemCtl(owner, id, 2, SETVAL, new SemUn { Val = 1 }), "semctl SETVAL");
        Tick(k);
        var worker = Spawn(k, app, 1001);
        Assert.Equal(Errno.OK, k.Syscalls.SemOp(worker, id, [new SemBuf(0, -2, SEM_UNDO), new SemBuf(1, 1, 0)]));
    }

    /// <summary>A queue in a jail with three typed messages sent and one received.</summary>
    public static void Msg(Kernel k)
    {
        var mq = NewJail(k, "mq", ("sysvmsg", "new"));
        var p = Spawn(k, mq, 0);
        var id = Ok(k.Syscalls.MsgGet(p, 42, IPC_CREAT | 0x1b0), "msgget");
        Tick(k);
        Send(k, p, id, 1, "hello");
        Send(k, p, id, 2, "world!");
        Send(k, p, id, 1, "again");
        Tick(k);
        var buffer = new byte[64];
        Assert.Equal(5, Ok(k.Syscalls.MsgRcv(p, id, buffer, 64, 1, 0, out var type), "msgrcv"));
        Assert.Equal(1, type);
    }

    /// <summary>A dataset tree delegated to a jail: tank/jails (jailed) with pg1 and its child, mounted from the jail.</summary>
    public static void Zfs(Kernel k)
    {
        var host = k.Init;
        Ok(k.Syscalls.ZfsCreate(host, "tank/jails/pg1/data", parents: true), "zfs create");
        Ok(k.Syscalls.ZfsSet(host, "tank/jails", "mountpoint", "/jails"), "zfs set mountpoint");
        Ok(k.Syscalls.ZfsSet(host, "tank/jails/pg1", "jailed", "on"), "zfs set jailed");
        Ok(k.Syscalls.ZfsSet(host, "tank/jails/pg1", "quota", "10M"), "zfs set quota");
        var pg1 = NewJail(k, "pg1", ("allow.mount", "1"), ("allow.mount.zfs", "1"), ("enforce_statfs", "1"));
        Ok(k.Syscalls.ZfsJail(host, "pg1", "tank/jails/pg1"), "zfs jail");
        var root = Spawn(k, pg1, 0);
        Ok(k.Syscalls.ZfsWrite(root, "tank/jails/pg1/data", "/base.dat", 4096), "write a file");
        Ok(k.Syscalls.ZfsMount(root, "tank/jails/pg1/data"), "zfs mount");
    }

    public static Jail NewJail(Kernel k, string name, params (string Name, string? Value)[] parameters)
    {
        var p = new JailParams { ["name"] = name, ["persist"] = null };
        foreach (var (n, v) in parameters)
            p[n] = v;
        var jid = Ok(k.Syscalls.JailSet(k.Init, p, JailFlags.Create), $"jail -c {name}");
        return k.Jails.Find(jid)!;
    }

    public static Proc Spawn(Kernel k, Jail jail, uint uid) =>
        Ok(k.Processes.Spawn(new Ucred(uid, uid, [], jail), "worker", k.Init), "spawn");

    /// <summary>One second later on a manual clock; nothing on the real one.</summary>
    public static void Tick(Kernel k)
    {
        if (k.Time is ManualTimeProvider clock)
            clock.Advance(TimeSpan.FromSeconds(1));
    }

    public static T Ok<T>(SysResult<T> result, string what)
    {
        Assert.True(result.Ok, $"{what}: {result}");
        return result.Value;
    }

    private static void Send(Kernel k, Proc p, int id, long type, string text)
    {
        var bytes = System.Text.Encoding.ASCII.GetBytes(text);
        Assert.Equal(Errno.OK, k.Syscalls.MsgSnd(p, id, type, bytes, (ulong)bytes.Length, 0));
    }
}
