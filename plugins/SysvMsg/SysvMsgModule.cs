using Prison.Core.Modules;

namespace Prison.Plugins.SysvMsg;

/// <summary>The sysvmsg kernel module.</summary>
public sealed class SysvMsgModule : KernelModule
{
    /// <inheritdoc />
    public override string Name => "sysvmsg";

    /// <inheritdoc />
    public override void Load(ModuleContext context) => throw new NotImplementedException("sysvmsg is being written");
}
