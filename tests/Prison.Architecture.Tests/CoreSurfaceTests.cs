using System.Reflection;
using NetArchTest.Rules;
using Prison.Core;

namespace Prison.Architecture.Tests;

/// <summary>
/// Prison.Core's public line (docs/plugins.md, "What is public in Prison.Core, and why"): the kernel's
/// implementation types are internal, and the kernel object offers a host only its host API.
/// </summary>
public class CoreSurfaceTests
{
    private static readonly Assembly Core = typeof(Kernel).Assembly;

    /// <summary>The tables, the loader and the descriptor table: reached through the syscall interface or the module context, never by name.</summary>
    private static readonly string[] Implementations =
    [
        "Kenv", "JailTable", "JailSyscalls", "JailParameterRegistry", "ProcessTable", "SysctlTree",
        "SyscallTable", "SyscallGate`1", "SyscallLease`1", "Racct", "RctlSyscalls", "VirtualFileSystem",
        "ModuleManager", "LoadedModule", "FileTable", "KernelFile", "JailDescriptor", "KernelSnapshot",
    ];

    /// <summary>What a host app uses on <see cref="Kernel"/> (each is documented there and in docs/plugins.md).</summary>
    private static readonly string[] HostApi =
    [
        "Dispose", "FindJail", "Init", "LoggerFactory", "Prison0", "Services", "Snapshot", "Syscalls", "Time",
    ];

    [Fact]
    public void The_kernel_implementation_types_are_internal()
    {
        var result = Types.InAssembly(Core)
            .That().HaveNameMatching("^(" + string.Join("|", Implementations) + ")$")
            .Should().NotBePublic()
            .GetResult();

        Assert.True(result.IsSuccessful, "public implementation types: " + string.Join(", ", result.FailingTypeNames ?? []));
        // Each name is a type that exists, so a rename cannot empty the rule.
        var found = Core.GetTypes().Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        Assert.All(Implementations, name => Assert.Contains(name, found));
    }

    [Fact]
    public void The_kernel_offers_a_host_only_its_host_api()
    {
        var members = typeof(Kernel).GetMembers(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(m => m is not ConstructorInfo && !(m is MethodInfo { IsSpecialName: true }))
            .Select(m => m.Name)
            .Distinct()
            .Order(StringComparer.Ordinal);

        Assert.Equal(HostApi, members);
    }

    /// <summary>The control: the same rule fails on a type that is public.</summary>
    [Fact]
    public void The_rule_sees_a_public_type()
    {
        var result = Types.InAssembly(Core)
            .That().HaveName("SyscallInterface")
            .Should().NotBePublic()
            .GetResult();

        Assert.False(result.IsSuccessful);
    }
}
