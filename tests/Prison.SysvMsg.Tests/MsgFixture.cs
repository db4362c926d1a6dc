using System.Text;
using Prison.Core;
using Prison.Core.Ipc;
using Prison.Core.Jails;
using Prison.Core.Procs;
using Prison.Plugins.SysvMsg;

namespace Prison.SysvMsg.Tests;

/// <summary>A clock the tests move by hand.</summary>
internal sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;

    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>A fresh kernel with sysvmsg loaded in-process, plus helpers for jails, processes and calls.</summary>
internal sealed class MsgFixture : IDisposable
{
    public const int NOWAIT = IpcConstants.IPC_NOWAIT;
    public const int CREAT = IpcConstants.IPC_CREAT;
    public const int EXCL = IpcConstants.IPC_EXCL;

    /// <summary>A mode written as octal digits: <c>Oct(640)</c> is 0640.</summary>
    public static int Oct(int digits) => Convert.ToInt32(digits.ToString(System.Globalization.CultureInfo.InvariantCulture), 8);

    /// <summary>Bounds every wait for another thread; a test that hits it fails instead of hanging.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    public MsgFixture(Action<Kernel>? beforeLoad = null)
    {
        Clock = new ManualClock(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));
        Kernel = new Kernel(new KernelOptions { Time = Clock });
        beforeLoad?.Invoke(Kernel);
        Module = new SysvMsgModule();
        var loaded = Kernel.Modules.LoadInstance(Module);
        Assert.True(loaded.Ok, loaded.ToString());
        Root = Kernel.Init;
    }

    public Kernel Kernel { get; }

    public ManualClock Clock { get; }

    public SysvMsgModule Module { get; }

    public MsgFacility Queues => Module.Facility ?? throw new InvalidOperationException("sysvmsg is not loaded");

    /// <summary>Root of the host (init).</summary>
    public Proc Root { get; }

    public Jail Jail(string name, string? sysvmsg = "new", Proc? creator = null, int childrenMax = 0)
    {
        var p = new JailParams { ["name"] = name, ["persist"] = null };
        if (childrenMax > 0)
            p["children.max"] = childrenMax.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (sysvmsg is not null)
            p["sysvmsg"] = sysvmsg;
        var r = Kernel.Syscalls.JailSet(creator ?? Kernel.Init, p, JailFlags.Create);
        Assert.True(r.Ok, $"jail -c {name}: {r}");
        return Kernel.Jails.Find(r.Value)!;
    }

    public Proc Proc(uint uid, uint gid, Jail? jail = null, params uint[] groups) =>
        Kernel.Processes.Spawn(new Ucred(uid, gid, groups, jail ?? Kernel.Prison0), "cmd").Value;

    public Proc RootIn(Jail jail) => Proc(0, 0, jail);

    public int Get(Proc p, int key, int flags)
    {
        var r = Kernel.Syscalls.MsgGet(p, key, flags);
        Assert.True(r.Ok, $"msgget({key}, {flags}): {r}");
        return r.Value;
    }

    public Errno Send(Proc p, int id, long type, string text, int flags = NOWAIT, WaitPolicy wait = WaitPolicy.Block) =>
        Send(p, id, type, Encoding.UTF8.GetBytes(text), flags, wait);

    public Errno Send(Proc p, int id, long type, byte[] body, int flags = NOWAIT, WaitPolicy wait = WaitPolicy.Block) =>
        Kernel.Syscalls.MsgSnd(p, id, type, body, (ulong)body.Length, flags, wait);

    /// <summary>msgrcv into a buffer of <paramref name="max"/> bytes; the received text and type, or the error.</summary>
    public (Errno Error, long Type, byte[] Body) Receive(Proc p, int id, long msgtyp, int flags = NOWAIT, int max = 4096, WaitPolicy wait = WaitPolicy.Block)
    {
        var buffer = new byte[max];
        var r = Kernel.Syscalls.MsgRcv(p, id, buffer, (ulong)max, msgtyp, flags, out var mtype, wait);
        return r.Ok ? (Errno.OK, mtype, buffer[..r.Value]) : (r.Error, 0, []);
    }

    public string ReceiveText(Proc p, int id, long msgtyp, int flags = NOWAIT)
    {
        var (error, _, body) = Receive(p, id, msgtyp, flags);
        Assert.Equal(Errno.OK, error);
        return Encoding.UTF8.GetString(body);
    }

    public MsqidDs Stat(Proc p, int id)
    {
        var ds = default(MsqidDs);
        var r = Kernel.Syscalls.MsgCtl(p, id, IpcConstants.IPC_STAT, ref ds);
        Assert.True(r.Ok, $"IPC_STAT: {r}");
        return ds;
    }

    public Errno Rmid(Proc p, int id)
    {
        var ds = default(MsqidDs);
        return Kernel.Syscalls.MsgCtl(p, id, IpcConstants.IPC_RMID, ref ds).Error;
    }

    public IReadOnlyList<MsgQueueInfo> Msqids(Proc p)
    {
        var r = Kernel.Sysctl.Read(p.Cred, "kern.ipc.msqids");
        Assert.True(r.Ok, r.ToString());
        return (IReadOnlyList<MsgQueueInfo>)r.Value;
    }

    public Errno SetSysctl(string name, long value) =>
        Kernel.Sysctl.Write(Root.Cred, name, value.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Runs <paramref name="call"/> on its own thread (a blocking syscall) and returns a handle to its result.</summary>
    public static Blocked<T> Start<T>(Func<T> call) => new(call);

    /// <summary>Waits (bounded) until queue <paramref name="id"/> has the given numbers of sleepers.</summary>
    public void WaitForSleepers(int id, int senders, int receivers)
    {
        var ok = SpinWait.SpinUntil(() => Queues.Sleepers(id) == (senders, receivers), Patience);
        Assert.True(ok, $"queue {id}: expected {senders} sleeping senders and {receivers} receivers, found {Queues.Sleepers(id)}");
    }

    public void Dispose() => Kernel.Dispose();
}

/// <summary>A call running on a thread of its own.</summary>
internal sealed class Blocked<T>
{
    private readonly Thread _thread;
    private T? _result;
    private Exception? _failure;

    public Blocked(Func<T> call)
    {
        _thread = new Thread(() =>
        {
            try
            {
                _result = call();
            }
            catch (Exception ex)
            {
                _failure = ex;
            }
        })
        { IsBackground = true, Name = "blocked syscall" };
        _thread.Start();
    }

    public bool IsFinished => !_thread.IsAlive;

    /// <summary>True while the thread is blocked (on a lock or asleep).</summary>
    public bool IsWaiting => (_thread.ThreadState & ThreadState.WaitSleepJoin) != 0;

    /// <summary>The call's result; fails the test if it does not return within the fixture's patience.</summary>
    public T Result()
    {
        Assert.True(_thread.Join(MsgFixture.Patience), "the call did not return");
        if (_failure is not null)
            throw new InvalidOperationException("the call threw", _failure);
        return _result!;
    }
}
