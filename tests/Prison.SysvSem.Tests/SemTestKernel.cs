using Prison.Core;
using Prison.Core.Ipc;
using Prison.Core.Jails;
using Prison.Core.Procs;
using Prison.Plugins.SysvSem;
using static Prison.Core.Ipc.IpcConstants;

namespace Prison.SysvSem.Tests;

/// <summary>A fresh kernel with sysvsem loaded in-process, plus short helpers for the tests.</summary>
internal sealed class SemTestKernel : IDisposable
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    public SemTestKernel()
    {
        K = new Kernel();
        Module = new SysvSemModule();
        var loaded = K.Modules.LoadInstance(Module);
        Assert.True(loaded.Ok, loaded.ToString());
        Host = K.Processes.Spawn(Ucred.Root(K.Prison0), "sh", K.Init).Value;
    }

    public Kernel K { get; }

    /// <summary>The loaded module instance.</summary>
    internal SysvSemModule Module { get; }

    /// <summary>The module's state (its wake-up counters).</summary>
    internal SemFacility Semaphores => Module.Facility!;

    /// <summary>A root shell in prison0.</summary>
    public Proc Host { get; }

    public Jail Jail(string name, string? sysvsem = "new", int childrenMax = 0)
    {
        var p = new JailParams { ["name"] = name, ["persist"] = null };
        if (childrenMax > 0)
            p["children.max"] = childrenMax.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (sysvsem is not null)
            p["sysvsem"] = sysvsem;
        var r = K.Syscalls.JailSet(K.Init, p, JailFlags.Create);
        Assert.True(r.Ok, $"jail -c {name}: {r}");
        return K.Jails.Find(r.Value)!;
    }

    public void RemoveJail(Jail j) => Assert.Equal(Errno.OK, K.Syscalls.JailRemove(K.Init, j.Id));

    public Proc Spawn(uint uid, uint gid, Jail? jail = null, params uint[] groups) =>
        K.Processes.Spawn(new Ucred(uid, gid, groups, jail ?? K.Prison0), "sh", K.Init).Value;

    public Proc RootIn(Jail jail) => Spawn(0, 0, jail);

    /// <summary>Creates a private set and checks it worked.</summary>
    public int NewSet(Proc p, int nsems = 1, int mode = 0x1b6 /* 0666 */)
    {
        var r = K.Syscalls.SemGet(p, IPC_PRIVATE, nsems, mode);
        Assert.True(r.Ok, r.ToString());
        return r.Value;
    }

    public Errno Op(Proc p, int id, params SemBuf[] sops) => K.Syscalls.SemOp(p, id, sops);

    public int Ctl(Proc p, int id, int num, int cmd, SemUn? arg = null)
    {
        var r = K.Syscalls.SemCtl(p, id, num, cmd, arg);
        Assert.True(r.Ok, $"semctl {cmd}: {r}");
        return r.Value;
    }

    public Errno CtlError(Proc p, int id, int num, int cmd, SemUn? arg = null) => K.Syscalls.SemCtl(p, id, num, cmd, arg).Error;

    public int Val(int id, int num = 0) => Ctl(Host, id, num, GETVAL);

    public void SetVal(int id, int num, int value) => Ctl(Host, id, num, SETVAL, new SemUn { Val = value });

    /// <summary>Waits (bounded) until <paramref name="condition"/> holds; false on timeout.</summary>
    public static bool Eventually(Func<bool> condition) => SpinWait.SpinUntil(condition, Bound);

    /// <summary>Runs a semop on a dedicated thread (it may block for a long time).</summary>
    public Task<Errno> OpInBackground(Proc p, int id, params SemBuf[] sops) =>
        Task.Factory.StartNew(() => K.Syscalls.SemOp(p, id, sops), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>Waits (bounded) for a background semop and returns its result.</summary>
    public static Errno Finish(Task<Errno> task)
    {
        Assert.True(task.Wait(Bound), "a blocked semop never returned");
        return task.Result;
    }

    /// <summary>Waits (bounded) for several background semops.</summary>
    public static Errno[] FinishAll(params Task<Errno>[] tasks) => tasks.Select(Finish).ToArray();

    public int Ncnt(int id, int num = 0) => Ctl(Host, id, num, GETNCNT);

    public int Zcnt(int id, int num = 0) => Ctl(Host, id, num, GETZCNT);

    public IReadOnlyList<SemSetInfo> Sema(Proc p)
    {
        var r = K.Sysctl.Read(p.Cred, "kern.ipc.sema");
        Assert.True(r.Ok, r.ToString());
        return (IReadOnlyList<SemSetInfo>)r.Value;
    }

    public void Dispose() => K.Dispose();

    public static SemBuf B(int num, int op, int flg = 0) => new((ushort)num, (short)op, (short)flg);
}
