using System.Globalization;
using Prison.Core;
using Prison.Core.Jails;
using Prison.Core.Modules;
using Prison.Core.Services;
using Prison.Core.Snapshots;
using Prison.Core.Sysctl;

namespace SampleModule;

/// <summary>
/// The samplemodule kernel module: counts hits per jail. Each read of the sysctl <c>samplemodule.hits</c>
/// is one hit in the caller's jail and returns that jail's count, so every jail sees only its own.
/// </summary>
public sealed class SampleModuleModule : KernelModule
{
    /// <inheritdoc />
    public override string Name => "samplemodule";

    /// <inheritdoc />
    public override void Load(ModuleContext context)
    {
        // One counter per jail: created for every jail (those alive now too), destroyed with it.
        var slot = context.RegisterService(new JailServiceDefinition<HitCounter>
        {
            Name = "samplemodule",
            Create = (jail, _) => new HitCounter(),
        });
        // The getter receives the caller's credential: cred.Jail is the jail the reader runs in.
        context.RegisterSysctl(new SysctlInt("samplemodule.hits", "hits counted in the caller's jail",
            cred => slot.Get(cred.Jail)?.Hit() ?? 0, access: SysctlAccess.ReadOnly));
        context.RegisterSnapshot(new HitsSnapshot(context.Kernel, slot));
    }

    /// <inheritdoc />
    public override Errno QueryUnload(ModuleContext context) => Errno.OK; // return Errno.EBUSY to refuse kldunload

    /// <summary>A jail's hit count.</summary>
    public sealed class HitCounter
    {
        private long _hits;

        /// <summary>The count so far.</summary>
        public long Hits => Interlocked.Read(ref _hits);

        /// <summary>Counts one hit and returns the new count.</summary>
        public long Hit() => Interlocked.Increment(ref _hits);
    }

    /// <summary>The module's section of kernel snapshots: every jail's count, by jid.</summary>
    private sealed class HitsSnapshot(Kernel kernel, ServiceSlot<HitCounter> slot) : ISnapshotProvider
    {
        public string Name => "samplemodule";

        public void Write(SnapshotWriter writer)
        {
            foreach (var jail in kernel.Jails.List(kernel.Prison0).OrderBy(j => j.Id))
                writer.Line(string.Create(CultureInfo.InvariantCulture, $"jail {jail.Id} ({jail.Name}): {slot.Get(jail)?.Hits ?? 0} hits"));
        }
    }
}
