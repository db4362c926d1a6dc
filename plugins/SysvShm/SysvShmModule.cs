using Prison.Core.Modules;

namespace Prison.Plugins.SysvShm;

/// <summary>The sysvshm kernel module.</summary>
public sealed class SysvShmModule : KernelModule
{
    /// <inheritdoc />
    public override string Name => "sysvshm";

    /// <inheritdoc />
    public override void Load(ModuleContext context) => throw new NotImplementedException("sysvshm is being written");
}
