using System.Globalization;
using Prison.Core;
using Prison.Core.Ipc;
using Prison.Core.Jails;
using Prison.Core.Procs;
using Prison.Plugins.SysvShm;
using static Prison.Core.Ipc.IpcConstants;

namespace Prison.SysvShm.Tests;

/// <summary>A clock the tests move by hand.</summary>
internal sealed class ManualTime(long unixSeconds) : TimeProvider
{
    public long Seconds { get; set; } = unixSeconds;

    public override DateTimeOffset GetUtcNow() => DateTimeOffset.FromUnixTimeSeconds(Seconds);
}

/// <summary>Helpers: a kernel with sysvshm loaded, jails, processes, and short forms of the calls.</summary>
internal static class ShmTestKernel
{
    public const int Key = 5432001;
    public const ulong MiB = 1 << 20;

    public static Kernel Boot(TimeProvider? time = null)
    {
        var k = new Kernel(new KernelOptions { Time = time ?? new ManualTime(1_700_000_000) });
        var loaded = k.Modules.LoadInstance(new SysvShmModule());
        Assert.True(loaded.Ok, loaded.ToString());
        return k;
    }

    /// <summary>Creates a persistent jail (name may be hierarchical: <c>p.a</c>) as host root.</summary>
    public static Jail NewJail(this Kernel k, string name, string? sysvshm, params (string Name, string? Value)[] extra)
    {
        var p = new JailParams { ["name"] = name, ["persist"] = null };
        if (sysvshm is not null)
            p["sysvshm"] = sysvshm;
        foreach (var (n, v) in extra)
            p[n] = v;
        var r = k.Syscalls.JailSet(k.Init, p, JailFlags.Create);
        Assert.True(r.Ok, $"jail -c {name}: {r}");
        return k.Jails.Find(r.Value)!;
    }

    public static SysResult<int> Update(this Kernel k, Jail jail, string name, string? value) =>
        k.Syscalls.JailSet(k.Init, new JailParams { ["jid"] = jail.Id.ToString(CultureInfo.InvariantCulture), [name] = value }, JailFlags.Update);

    public static Proc Spawn(this Kernel k, Jail jail, uint uid = 0, uint gid = 0) =>
        k.Processes.Spawn(new Ucred(uid, gid, [], jail), "postgres").Value;

    public static int Create(this Kernel k, Proc p, int key = Key, ulong size = 4096, int flags = IPC_CREAT | 0x180)
    {
        var r = k.Syscalls.ShmGet(p, key, size, flags);
        Assert.True(r.Ok, $"shmget: {r}");
        return r.Value;
    }

    public static SysResult<ShmidDs> Stat(this Kernel k, Proc p, int id)
    {
        var ds = default(ShmidDs);
        var r = k.Syscalls.ShmCtl(p, id, IPC_STAT, ref ds);
        return r.Ok ? SysResult<ShmidDs>.Success(ds) : SysResult<ShmidDs>.Fail(r.Error);
    }

    public static Errno Rmid(this Kernel k, Proc p, int id)
    {
        var ds = default(ShmidDs);
        return k.Syscalls.ShmCtl(p, id, IPC_RMID, ref ds).Error;
    }

    public static ulong Attach(this Kernel k, Proc p, int id, ulong addr = 0, int flags = 0)
    {
        var r = k.Syscalls.ShmAt(p, id, addr, flags);
        Assert.True(r.Ok, $"shmat: {r}");
        return r.Value;
    }

    /// <summary>Reads an opaque shm list as <paramref name="p"/> would.</summary>
    public static IReadOnlyList<ShmSegmentInfo> Segments(this Kernel k, Proc p, string name = "kern.ipc.shmsegs")
    {
        var r = k.Sysctl.Read(p.Cred, name);
        Assert.True(r.Ok, $"sysctl {name}: {r}");
        return Assert.IsAssignableFrom<IReadOnlyList<ShmSegmentInfo>>(r.Value);
    }

    public static long Sysctl(this Kernel k, string name) => Convert.ToInt64(k.Sysctl.Read(k.Init.Cred, name).Value, CultureInfo.InvariantCulture);

    public static bool IsDest(this ShmidDs ds) => (ds.Perm.Mode & SHMSEG_REMOVED) != 0;
}
