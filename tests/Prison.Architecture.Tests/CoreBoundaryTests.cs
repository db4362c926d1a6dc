using NetArchTest.Rules;
using Prison.Core;

namespace Prison.Architecture.Tests;

/// <summary>The kernel core stands alone: it is the header and the kernel, and modules plug into it.</summary>
public class CoreBoundaryTests
{
    private static readonly string[] PluginNamespaces =
    [
        "Prison.Plugins.SysvShm",
        "Prison.Plugins.SysvSem",
        "Prison.Plugins.SysvMsg",
        "Prison.Plugins.ZfsDataset",
    ];

    [Fact]
    public void Core_references_no_plugin()
    {
        var result = Types.InAssembly(typeof(Kernel).Assembly)
            .ShouldNot().HaveDependencyOnAny(PluginNamespaces)
            .GetResult();

        Assert.True(result.IsSuccessful, "core types that use a plugin: " + string.Join(", ", result.FailingTypeNames ?? []));
    }

    [Fact]
    public void Core_references_neither_the_cli_nor_the_script_language()
    {
        var result = Types.InAssembly(typeof(Kernel).Assembly)
            .ShouldNot().HaveDependencyOnAny("Prison.Cli", "Prison.IpcScript")
            .GetResult();

        Assert.True(result.IsSuccessful, "core types that use userland: " + string.Join(", ", result.FailingTypeNames ?? []));
    }

    /// <summary>The control: the same rule does see a dependency that exists, so a pass above means something.</summary>
    [Fact]
    public void The_rule_sees_a_plugin_depend_on_core()
    {
        var result = Types.InAssembly(typeof(Prison.Plugins.SysvSem.SysvSemModule).Assembly)
            .ShouldNot().HaveDependencyOn("Prison.Core")
            .GetResult();

        Assert.False(result.IsSuccessful);
    }
}
