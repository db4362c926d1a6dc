using Prison.Core;
using Prison.Core.Jails;
using Prison.Core.Procs;
using Prison.Core.Zfs;
using Prison.Plugins.ZfsDataset;

namespace Prison.ZfsDataset.Tests;

/// <summary>A kernel with the zfs module loaded in-process, and helpers for jails and processes.</summary>
internal sealed class ZfsTestKernel : IDisposable
{
    public ZfsTestKernel(bool load = true, string? pools = null)
    {
        K = new Kernel();
        if (pools is not null)
            K.Kenv.Set(ZfsModule.PoolsTunable, pools);
        if (load)
            Load();
    }

    public Kernel K { get; }

    public Proc Host => K.Init;

    public void Load()
    {
        var r = K.Modules.LoadInstance(new ZfsModule());
        Assert.True(r.Ok, r.ToString());
    }

    public SysResult<int> Unload() => K.Modules.Unload(Host.Cred, "zfs");

    /// <summary>jail -c name=NAME persist [extra...]; asserts success.</summary>
    public Jail Jail(string name, params (string Name, string? Value)[] extra) => JailAs(Host, name, extra);

    public Jail JailAs(Proc caller, string name, params (string Name, string? Value)[] extra)
    {
        var r = TryJail(caller, name, extra);
        Assert.True(r.Ok, $"jail -c {name}: {r}");
        return K.Jails.Find(r.Value)!;
    }

    public SysResult<int> TryJail(Proc caller, string name, params (string Name, string? Value)[] extra)
    {
        var p = new JailParams { ["name"] = name, ["persist"] = null };
        foreach (var (n, v) in extra)
            p[n] = v;
        return K.Syscalls.JailSet(caller, p, JailFlags.Create);
    }

    /// <summary>A jail that may mount zfs: allow.mount, allow.mount.zfs, enforce_statfs=1.</summary>
    public Jail MountingJail(string name) =>
        Jail(name, ("allow.mount", "1"), ("allow.mount.zfs", "1"), ("enforce_statfs", "1"));

    public Proc RootIn(Jail jail) => K.Processes.Spawn(Ucred.Root(jail), "sh", K.Init).Value;

    public Proc UserIn(Jail jail, uint uid) => K.Processes.Spawn(new Ucred(uid, uid, [], jail), "sh", K.Init).Value;

    /// <summary>zfs create as host root; asserts success.</summary>
    public void Create(string name, params (string Prop, string Value)[] props) =>
        Ok(K.Syscalls.ZfsCreate(Host, name, parents: true, props.Select(p => new KeyValuePair<string, string>(p.Prop, p.Value)).ToArray()));

    /// <summary>Creates a jailed dataset and attaches it to <paramref name="jail"/>.</summary>
    public void Delegate(string dataset, Jail jail)
    {
        if (!K.Syscalls.ZfsList(Host, dataset).Ok)
            Create(dataset, ("jailed", "on"));
        Ok(K.Syscalls.ZfsJail(Host, jail.Name, dataset));
    }

    public string Prop(Proc caller, string dataset, string property)
    {
        var r = K.Syscalls.ZfsGet(caller, dataset, property);
        Assert.True(r.Ok, r.ToString());
        return r.Value.Single().Value;
    }

    public static void Ok<T>(SysResult<T> r) => Assert.True(r.Ok, r.ToString());

    public static void Fails<T>(Errno expected, SysResult<T> r, string? messagePart = null)
    {
        Assert.False(r.Ok, $"expected {expected.Name()}, got {r}");
        Assert.Equal(expected, r.Error);
        if (messagePart is not null)
            Assert.Contains(messagePart, r.Message ?? "", StringComparison.Ordinal);
    }

    public void Dispose() => K.Dispose();
}
