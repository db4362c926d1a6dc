namespace Prison.Core.Modules;

/// <summary>
/// A kernel module: the one entry type a plugin assembly exposes (a public, non-abstract subclass with
/// a public parameterless constructor). <c>kldload</c> creates it and calls <see cref="Load"/>.
/// <c>kldunload</c> runs the loader's steps, in this order whatever the module registered first:
/// (a) <see cref="QueryUnload"/>, the quiesce veto (FreeBSD's <c>MOD_QUIESCE</c>; <c>kldunload -f</c>
/// skips it); (b) the module's syscall gates close; (c) the threads inside drain; (d)
/// <see cref="CheckUnload"/>, the module's own refusal (FreeBSD's <c>MOD_UNLOAD</c> returning EBUSY,
/// which <c>-f</c> does not skip; a refusal reopens the gates and changes nothing); (e) the module's entry
/// points are removed and drained and its state cleanups run; (f) its services are deregistered; then
/// <see cref="Unload"/>.
/// </summary>
public abstract class KernelModule
{
    /// <summary>The module name used by kldload/kldstat (<c>sysvshm</c>).</summary>
    public abstract string Name { get; }

    /// <summary>The module version shown by kldstat.</summary>
    public virtual Version Version => GetType().Assembly.GetName().Version ?? new Version(1, 0);

    /// <summary>Modules that must be loaded first; unloading one of them is refused with EBUSY.</summary>
    public virtual IReadOnlyList<string> DependsOn => [];

    /// <summary>
    /// Registers the module's services, parameters, syscalls, sysctl nodes and hooks through
    /// <paramref name="context"/>. Throwing fails the load: every registration made so far is undone.
    /// </summary>
    public abstract void Load(ModuleContext context);

    /// <summary>
    /// The quiesce veto (FreeBSD's <c>MOD_QUIESCE</c>), asked first: return <see cref="Errno.EBUSY"/> to
    /// refuse a plain <c>kldunload</c>, and nothing changes. <c>kldunload -f</c> does not ask. The default
    /// allows the unload.
    /// </summary>
    public virtual Errno QueryUnload(ModuleContext context) => Errno.OK;

    /// <summary>
    /// The module's own unload check (FreeBSD's <c>MOD_UNLOAD</c> handler refusing, as <c>shmunload</c>
    /// does while <c>shm_nused &gt; 0</c>): return <see cref="Errno.EBUSY"/> while objects exist or callers
    /// are blocked inside. Asked even by <c>kldunload -f</c>: before the gates close, while they drain
    /// (a caller blocked inside would never leave), and once drained. A refusal reopens the gates and
    /// nothing changes. It may run concurrently with the module's syscalls: read the state under the
    /// module's own lock. The default allows the unload.
    /// </summary>
    public virtual Errno CheckUnload(ModuleContext context) => Errno.OK;

    /// <summary>Called after every registration was undone: release anything else the module holds.</summary>
    public virtual void Unload(ModuleContext context) { }
}
