using Prison.Core;
using Prison.Core.Ipc;
using Prison.Core.Ipc.Sysv;
using Prison.Core.Modules;
using Prison.Core.Rctl;

namespace Prison.Plugins.SysvShm;

/// <summary>
/// The <c>sysvshm</c> kernel module: System V shared memory (shmget, shmat, shmdt, shmctl) with per-jail
/// namespaces chosen by the <c>sysvshm</c> jail parameter (<c>disable | inherit | new</c>), FreeBSD's
/// limits as <c>kern.ipc.shm*</c> sysctls, and the per-caller object list <c>kern.ipc.shmsegs</c>.
/// </summary>
/// <remarks>
/// Unloading is refused with EBUSY while any segment exists (FreeBSD's <c>shmunload</c>:
/// <c>shm_nused &gt; 0</c>), even by <c>kldunload -f</c>.
/// </remarks>
public sealed class SysvShmModule : KernelModule
{
    private ShmSubsystem? _shm;

    /// <summary>The loaded state (for tests and diagnostics), null when not loaded.</summary>
    internal ShmSubsystem? Subsystem => _shm;

    /// <inheritdoc />
    public override string Name => "sysvshm";

    /// <inheritdoc />
    public override void Load(ModuleContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var shm = new ShmSubsystem(context.RacctFor(RacctResource.Nshm, RacctResource.ShmSize), context.Time, context.Tunables, context.Logger);
        shm.Namespaces = SysvNamespaces.Register(context, "sysvshm", "SYSV shared memory", shm.CleanupJail, shm.VetoAttach);
        context.RegisterSyscalls<IShmSyscalls>(shm);
        ShmSysctls.Register(context, shm);
        context.OnProcessExit(shm.ProcessExited);
        context.RegisterSnapshot(shm);
        _shm = shm;
    }

    /// <inheritdoc />
    public override Errno CheckUnload(ModuleContext context) => _shm is { SegmentCount: > 0 } ? Errno.EBUSY : Errno.OK;

    /// <inheritdoc />
    public override void Unload(ModuleContext context)
    {
        _shm?.FreeAll();
        _shm = null;
    }
}
