using Microsoft.Extensions.Logging;
using Prison.Core;
using Prison.Core.Modules;
using Prison.Core.Vfs;
using Prison.Core.Zfs;

namespace Prison.Plugins.ZfsDataset;

/// <summary>
/// The zfs kernel module: pools and datasets, <c>zfs jail</c> / <c>zfs unjail</c> through the jail
/// services KPI (the per-jail dataset list lives in the module's slot), and the jail-friendly file
/// system type <c>zfs</c> (<c>VFCF_JAIL</c>, so <c>allow.mount.zfs</c> exists while it is loaded).
/// </summary>
/// <remarks>
/// Tunable: <c>zfs.pools</c> in the kernel environment, pool names separated by commas or spaces,
/// created at load (default <c>tank</c>; empty for none). Unloading is refused with EBUSY while any
/// zfs file system is mounted, even by <c>kldunload -f</c>.
/// </remarks>
public sealed class ZfsModule : KernelModule
{
    /// <summary>The kenv tunable naming the pools created at load.</summary>
    public const string PoolsTunable = "zfs.pools";

    private ZfsSyscalls? _impl;

    /// <inheritdoc />
    public override string Name => "zfs";

    /// <inheritdoc />
    public override void Load(ModuleContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var impl = new ZfsSyscalls(context.Jails, context.Logger);
        var pools = context.Tunables.Get(PoolsTunable) ?? "tank";
        foreach (var pool in pools.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            impl.AddBootPool(pool);
        impl.FileSystem = context.RegisterFileSystemType(new VfsType { Name = ZfsSyscalls.FsType, Flags = VfsTypeFlags.Jail, MountCheck = impl.CheckMount });
        impl.Slot = context.RegisterService(impl.ServiceDefinition());
        context.RegisterSyscalls<IZfsSyscalls>(impl);
        context.RegisterSnapshot(impl);
        _impl = impl;
        context.Logger.LogInformation("zfs loaded with pools {Pools}", pools);
    }

    /// <summary>Refuses with EBUSY while a zfs file system is mounted (FreeBSD's <c>vfs_unregister</c>), even for <c>kldunload -f</c>.</summary>
    public override Errno CheckUnload(ModuleContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var mounted = _impl?.FileSystem.List() ?? [];
        if (mounted.Count == 0)
            return Errno.OK;
        context.Logger.LogInformation("zfs busy: {Count} file systems mounted", mounted.Count);
        return Errno.EBUSY;
    }

    /// <inheritdoc />
    public override void Unload(ModuleContext context) => _impl = null;

    /// <summary>The implementation, for tests in this repository.</summary>
    internal ZfsSyscalls? Implementation => _impl;
}
