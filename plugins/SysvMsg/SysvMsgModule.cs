using Prison.Core;
using Prison.Core.Ipc;
using Prison.Core.Ipc.Sysv;
using Prison.Core.Modules;
using Prison.Core.Rctl;
using Prison.Core.Sysctl;

namespace Prison.Plugins.SysvMsg;

/// <summary>
/// The <c>sysvmsg</c> kernel module: System V message queues (msgget, msgsnd, msgrcv, msgctl) with
/// FreeBSD's semantics, a per-jail namespace chosen by the <c>sysvmsg</c> jail parameter, the limits
/// <c>kern.ipc.msgmax</c>, <c>msgmnb</c>, <c>msgmni</c>, <c>msgseg</c>, <c>msgssz</c>, <c>msgtql</c>, and
/// the per-caller queue list <c>kern.ipc.msqids</c>.
/// </summary>
public sealed class SysvMsgModule : KernelModule
{
    private MsgQueues? _queues;

    /// <inheritdoc />
    public override string Name => "sysvmsg";

    /// <summary>The loaded facility (null before Load); tests and diagnostics look at its sleepers.</summary>
    internal MsgQueues? Queues => _queues;

    /// <inheritdoc />
    public override void Load(ModuleContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var limits = MsgLimits.FromKenv(context.Tunables);
        var racct = context.RacctFor(RacctResource.Nmsgq, RacctResource.MsgqQueued, RacctResource.MsgqSize);
        var queues = new MsgQueues(racct, context.Time, limits, context.Logger);
        queues.Namespaces = SysvNamespaces.Register(context, "sysvmsg", "SYSV message queues", queues.RemoveCreatedBy);
        context.RegisterSyscalls<IMsgSyscalls>(queues);
        context.RegisterSnapshot(queues);
        // The loader runs it after the syscalls drained (CheckUnload refuses while a queue exists), and at
        // kernel shutdown while they drain, so no sleeper can hold the drain up.
        context.Track("sysvmsg: wake sleepers and remove queues", queues.Close);
        RegisterLimit(context, queues, "kern.ipc.msgmax", "Maximum message size", l => l.Msgmax, queues.Limits.SetMsgmax);
        RegisterLimit(context, queues, "kern.ipc.msgmni", "Number of message queue identifiers", l => l.Msgmni, queues.Limits.SetMsgmni);
        RegisterLimit(context, queues, "kern.ipc.msgmnb", "Maximum number of bytes in a queue", l => l.Msgmnb, queues.Limits.SetMsgmnb);
        RegisterLimit(context, queues, "kern.ipc.msgtql", "Maximum number of messages in the system", l => l.Msgtql, queues.Limits.SetMsgtql);
        RegisterLimit(context, queues, "kern.ipc.msgssz", "Size of a message segment", l => l.Msgssz, queues.Limits.SetMsgssz);
        RegisterLimit(context, queues, "kern.ipc.msgseg", "Number of message segments", l => l.Msgseg, queues.Limits.SetMsgseg);
        context.RegisterSysctl(new SysctlOpaque<MsgQueueInfo>("kern.ipc.msqids", "Array of struct msqid_kernel for each potential message queue", queues.List));
        _queues = queues;
    }

    /// <summary>Refuses with EBUSY while any queue is in use (FreeBSD's <c>msgunload</c>), even for <c>kldunload -f</c>.</summary>
    public override Errno CheckUnload(ModuleContext context) => _queues?.QueryUnload() ?? Errno.OK;

    /// <inheritdoc />
    public override void Unload(ModuleContext context) => _queues = null;

    private static void RegisterLimit(ModuleContext context, MsgQueues queues, string name, string description,
        Func<MsgLimits, int> get, Func<long, Errno> set) =>
        context.RegisterSysctl(new SysctlInt(name, description, _ => queues.ReadLimit(get), v => queues.ChangeLimit(set, v)));
}
