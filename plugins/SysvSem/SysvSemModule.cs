using Microsoft.Extensions.Logging;
using Prison.Core;
using Prison.Core.Ipc;
using Prison.Core.Modules;
using Prison.Core.Rctl;
using Prison.Core.Sysctl;

namespace Prison.Plugins.SysvSem;

/// <summary>
/// The <c>sysvsem</c> kernel module: System V semaphores with per-jail namespaces (FreeBSD's
/// sysv_sem.c). Registers the <c>sysvsem</c> jail parameter, the <see cref="ISemSyscalls"/>
/// implementation, the <c>kern.ipc.sem*</c> limits, <c>kern.ipc.sema</c> and the SEM_UNDO exit hook.
/// </summary>
public sealed class SysvSemModule : KernelModule
{
    private SysvSemaphores? _semaphores;

    /// <inheritdoc />
    public override string Name => "sysvsem";

    /// <summary>The loaded state (for tests and diagnostics), null when not loaded.</summary>
    internal SysvSemaphores? Semaphores => _semaphores;

    /// <inheritdoc />
    public override void Load(ModuleContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var limits = new SemLimits();
        limits.Register(context);
        var semaphores = new SysvSemaphores(context.RacctFor(RacctResource.Nsem, RacctResource.Nsemop), context.Time, limits, context.Logger);
        semaphores.RegisterNamespaces(context);
        context.RegisterSysctl(new SysctlOpaque<SemSetInfo>("kern.ipc.sema",
            "Semaphore sets visible to the caller", semaphores.ListFor));
        context.OnProcessExit(semaphores.ApplyUndoAtExit);
        context.RegisterSyscalls<ISemSyscalls>(semaphores);
        context.RegisterSnapshot(semaphores);
        // The loader runs it after the syscalls drained (an unload finds no set: CheckUnload refuses
        // otherwise), and at kernel shutdown while they drain, so sleepers wake with EIDRM and leave.
        context.Track("semaphore sets", semaphores.RemoveAll);
        _semaphores = semaphores;
        context.Logger.LogInformation("sysvsem loaded: semmni {Semmni}, semmns {Semmns}, semmsl {Semmsl}",
            limits.Semmni, limits.Semmns, limits.Semmsl);
    }

    /// <summary>
    /// Refuses with EBUSY while any set exists (FreeBSD's <c>semunload</c>: <c>semtot != 0</c>) or any
    /// thread is blocked in semop; <c>kldunload -f</c> does not skip it.
    /// </summary>
    public override Errno CheckUnload(ModuleContext context) =>
        _semaphores is { IsBusy: true } ? Errno.EBUSY : Errno.OK;

    /// <inheritdoc />
    public override void Unload(ModuleContext context) => _semaphores = null;
}
