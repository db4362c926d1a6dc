using Microsoft.Extensions.Logging;
using Prison.Core.Rctl;

namespace Prison.Core.Modules;

// What a module reads from the kernel and uses without registering anything: jail lookups, resource
// accounting for its own resources, the clock, the loader tunables and its loggers. Each is a narrow
// object; none leads back to the kernel or to a registry, so every registration a module makes goes
// through this registrar and is undone at unload.
public sealed partial class ModuleContext
{
    /// <summary>The module's logger (category <c>Prison.Module.NAME</c>).</summary>
    public ILogger Logger { get; }

    /// <summary>Jail lookups: prison0, by jid, by name as a viewer sees it, the jails a viewer sees.</summary>
    public JailLookup Jails { get; }

    /// <summary>The kernel environment, read-only: the loader tunables the module reads (<c>kern.ipc.shmmni</c>).</summary>
    public TunableReader Tunables { get; }

    /// <summary>The kernel's clock (<see cref="KernelOptions.Time"/>): IPC times come from it, so a host can fake it.</summary>
    public TimeProvider Time => _kernel.Time;

    /// <summary>A logger for a category under the module (<c>Prison.Module.NAME.SUFFIX</c>), one per service.</summary>
    public ILogger CreateLogger(string suffix)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(suffix);
        return _kernel.LoggerFactory.CreateLogger($"Prison.Module.{ModuleName}.{suffix}");
    }

    /// <summary>
    /// Declares the racct resources the module accounts (<c>nshm</c> and <c>shmsize</c> for sysvshm) and
    /// returns the handle that charges and releases them. Charging a resource not declared here throws
    /// <see cref="ArgumentOutOfRangeException"/>. A module gives back what it charged (when it frees its
    /// objects); nothing is released for it at unload.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A value that is not a <see cref="RacctResource"/>.</exception>
    public RacctHandle RacctFor(params RacctResource[] resources)
    {
        ArgumentNullException.ThrowIfNull(resources);
        return new RacctHandle(_kernel.Racct, resources);
    }
}
