using Prison.Core.Jails;
using Prison.Core.Procs;

namespace Prison.Core.Tests;

/// <summary>Small helpers shared by the core tests.</summary>
internal static class TestKernel
{
    public static Proc Root(this Kernel k) => k.Init;

    public static Jail Create(this Kernel k, string name, params (string Name, string? Value)[] extra) =>
        k.Jails.Prison0.Id == 0 ? CreateAs(k, k.Init, name, extra) : throw new InvalidOperationException();

    public static Jail CreateAs(this Kernel k, Proc caller, string name, params (string Name, string? Value)[] extra)
    {
        var p = new JailParams { ["name"] = name, ["persist"] = null };
        foreach (var (n, v) in extra)
            p[n] = v;
        var r = k.Syscalls.JailSet(caller, p, JailFlags.Create);
        Assert.True(r.Ok, $"jail -c {p}: {r}");
        return k.Jails.Find(r.Value)!;
    }

    public static SysResult<int> TryCreate(this Kernel k, Proc caller, params (string Name, string? Value)[] ps) =>
        k.Syscalls.JailSet(caller, new JailParams(ps.Select(x => new KeyValuePair<string, string?>(x.Name, x.Value))), JailFlags.Create);

    /// <summary>A root process inside <paramref name="jail"/>.</summary>
    public static Proc RootIn(this Kernel k, Jail jail) => k.Processes.Spawn(Ucred.Root(jail), "sh", k.Init).Value;

    public static Proc UserIn(this Kernel k, Jail jail, uint uid, uint gid) =>
        k.Processes.Spawn(new Ucred(uid, gid, [], jail), "sh", k.Init).Value;
}
