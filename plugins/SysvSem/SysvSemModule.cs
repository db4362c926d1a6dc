using Prison.Core.Modules;

namespace Prison.Plugins.SysvSem;

/// <summary>The sysvsem kernel module.</summary>
public sealed class SysvSemModule : KernelModule
{
    /// <inheritdoc />
    public override string Name => "sysvsem";

    /// <inheritdoc />
    public override void Load(ModuleContext context) => throw new NotImplementedException("sysvsem is being written");
}
