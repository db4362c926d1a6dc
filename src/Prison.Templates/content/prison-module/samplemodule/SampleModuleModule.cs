using System.Globalization;
using Prison.Core;
using Prison.Core.Modules;
using Prison.Core.Procs;
using Prison.Core.Services;
using Prison.Core.Snapshots;
using Prison.Core.Sysctl;

namespace SampleModule;

/// <summary>
/// The samplemodule kernel module: a hit counter per jail. <c>sysctl samplemodule.hits=N</c> adds N hits
/// to the caller's jail (root of the jail may write it); reading <c>samplemodule.hits</c> gives the
/// caller's jail's count, so every jail sees only its own.
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
        context.RegisterSysctl(new HitsSysctl(slot));
        context.RegisterSnapshot(new HitsSnapshot(context.Jails, slot));
    }

    /// <inheritdoc />
    public override Errno QueryUnload(ModuleContext context) => Errno.OK; // return Errno.EBUSY to refuse kldunload

    /// <summary>A jail's hit count.</summary>
    public sealed class HitCounter
    {
        private long _hits;

        /// <summary>The count so far.</summary>
        public long Hits => Interlocked.Read(ref _hits);

        /// <summary>Adds <paramref name="n"/> hits.</summary>
        public void Add(long n) => Interlocked.Add(ref _hits, n);
    }

    /// <summary>
    /// <c>samplemodule.hits</c>: reads and writes receive the caller's credential, and
    /// <c>cred.Jail</c> is the jail the caller runs in.
    /// </summary>
    private sealed class HitsSysctl(ServiceSlot<HitCounter> slot)
        : SysctlNode("samplemodule.hits", "hits counted in the caller's jail (write N to add N)", SysctlAccess.PrisonWritable)
    {
        public override SysctlType Type => SysctlType.Int;

        public override SysResult<object> Read(Ucred caller) => SysResult<object>.Success(slot.Get(caller.Jail)?.Hits ?? 0L);

        // The kernel has checked the privilege (root, of the host or of a jail); the value is ours to check.
        public override Errno Write(Ucred caller, string value)
        {
            if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1)
                return Errno.EINVAL;
            if (slot.Get(caller.Jail) is not { } counter)
                return Errno.ENOENT;
            counter.Add(n);
            return Errno.OK;
        }
    }

    /// <summary>The module's section of kernel snapshots: every jail's count, by jid.</summary>
    private sealed class HitsSnapshot(JailLookup jails, ServiceSlot<HitCounter> slot) : ISnapshotProvider
    {
        public string Name => "samplemodule";

        public void Write(SnapshotWriter writer)
        {
            foreach (var jail in jails.List(jails.Prison0).OrderBy(j => j.Id))
                writer.Line(string.Create(CultureInfo.InvariantCulture, $"jail {jail.Id} ({jail.Name}): {slot.Get(jail)?.Hits ?? 0} hits"));
        }
    }
}
