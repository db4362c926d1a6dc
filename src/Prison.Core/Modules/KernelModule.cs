namespace Prison.Core.Modules;

/// <summary>
/// A kernel module: the one entry type a plugin assembly exposes (a public, non-abstract subclass with
/// a public parameterless constructor). <c>kldload</c> creates it and calls <see cref="Load"/>;
/// <c>kldunload</c> calls <see cref="QueryUnload"/>, then undoes every registration made through the
/// <see cref="ModuleContext"/>, in reverse, then calls <see cref="Unload"/>.
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
    /// Asked before unloading: return <see cref="Errno.EBUSY"/> to refuse (objects still exist, callers
    /// are blocked inside), and nothing changes. The default allows the unload.
    /// </summary>
    public virtual Errno QueryUnload(ModuleContext context) => Errno.OK;

    /// <summary>Called after every registration was undone: release anything else the module holds.</summary>
    public virtual void Unload(ModuleContext context) { }
}
