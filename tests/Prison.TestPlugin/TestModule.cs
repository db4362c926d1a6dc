using Prison.Core.Modules;

namespace Prison.TestPlugin;

/// <summary>The test module.</summary>
public sealed class TestModule : KernelModule
{
    /// <inheritdoc />
    public override string Name => "testplugin";

    /// <inheritdoc />
    public override void Load(ModuleContext context) => throw new NotImplementedException("being written");
}
