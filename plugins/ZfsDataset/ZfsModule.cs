using Prison.Core.Modules;

namespace Prison.Plugins.ZfsDataset;

/// <summary>The zfs kernel module.</summary>
public sealed class ZfsModule : KernelModule
{
    /// <inheritdoc />
    public override string Name => "zfs";

    /// <inheritdoc />
    public override void Load(ModuleContext context) => throw new NotImplementedException("zfs is being written");
}
