using System.Reflection;
using NetArchTest.Rules;
using Prison.Core.Syscalls;

namespace Prison.Architecture.Tests;

/// <summary>
/// Userland reaches the kernel only through the system call interface (<see cref="SyscallInterface"/>,
/// <c>Kernel.Syscalls</c>) and the contract types it takes and returns (Errno, SysResult, the records it
/// copies out, Proc as the caller). docs/architecture.md draws the boundary.
/// </summary>
public class CliBoundaryTests
{
    /// <summary>
    /// The kernel's implementation: what a userland type may not name. Namespaces stand for every type in
    /// them. NetArchTest matches whole name segments, so <c>Prison.Core.Kernel</c> is the type and not
    /// <c>KernelOptions</c>.
    /// </summary>
    private static readonly string[] KernelImplementation =
    [
        "Prison.Core.Kernel",
        "Prison.Core.KernelOptions",
        "Prison.Core.Kenv",
        "Prison.Core.Jails.JailTable",
        "Prison.Core.Jails.JailSyscalls",
        "Prison.Core.Jails.JailParameterRegistry",
        "Prison.Core.Procs.ProcessTable",
        "Prison.Core.Procs.Priv",
        "Prison.Core.Descriptors.FileTable",
        "Prison.Core.Descriptors.KernelFile",
        "Prison.Core.Descriptors.JailDescriptor",
        "Prison.Core.Services",
        "Prison.Core.Modules.ModuleManager",
        "Prison.Core.Modules.LoadedModule",
        "Prison.Core.Modules.ModuleContext",
        "Prison.Core.Modules.KernelModule",
        "Prison.Core.Modules.ModuleWatcher",
        "Prison.Core.Sysctl.SysctlTree",
        "Prison.Core.Sysctl.SysctlNode",
        "Prison.Core.Sysctl.SysctlInt",
        "Prison.Core.Sysctl.SysctlString",
        "Prison.Core.Sysctl.SysctlOpaque`1",
        "Prison.Core.Vfs",
        "Prison.Core.Rctl.Racct",
        "Prison.Core.Rctl.RctlSyscalls",
        "Prison.Core.Snapshots",
        "Prison.Core.Syscalls.SyscallTable",
        "Prison.Core.Syscalls.SyscallGate`1",
        "Prison.Core.Syscalls.SyscallLease`1",
        "Prison.Core.Ipc.Sysv",
        "Prison.Core.Ipc.IShmSyscalls",
        "Prison.Core.Ipc.ISemSyscalls",
        "Prison.Core.Ipc.IMsgSyscalls",
        "Prison.Core.Zfs.IZfsSyscalls",
    ];

    /// <summary>The <c>prison</c> command's assembly (its types are internal, so it is found by name).</summary>
    private static readonly Assembly Cli = Assembly.Load(new AssemblyName("prison"));

    /// <summary>The rule, one predicate for every check below and for the control.</summary>
    private static TestResult UseNoKernelImplementation(PredicateList types) =>
        types.ShouldNot().HaveDependencyOnAny(KernelImplementation).GetResult();

    private static string Failing(TestResult result) => string.Join(", ", result.FailingTypeNames ?? []);

    [Fact]
    public void Userland_commands_use_no_kernel_implementation_type()
    {
        var commands = Types.InAssembly(Cli).That().ResideInNamespaceStartingWith("Prison.Cli.Userland");
        Assert.NotEmpty(commands.GetTypes());

        var result = UseNoKernelImplementation(commands);

        Assert.True(result.IsSuccessful, "userland types that reach around the syscall interface: " + Failing(result));
    }

    [Fact]
    public void A_command_is_given_the_syscall_interface_not_the_kernel()
    {
        var context = Types.InAssembly(Cli).That().HaveName("CommandContext").And().ResideInNamespace("Prison.Cli.Shell");
        Assert.Single(context.GetTypes());

        var result = UseNoKernelImplementation(context);

        Assert.True(result.IsSuccessful, "CommandContext hands commands a kernel type: " + Failing(result));
    }

    [Fact]
    public void In_the_shell_only_the_session_that_boots_with_the_kernel_holds_it()
    {
        var shell = Types.InAssembly(Cli).That().ResideInNamespace("Prison.Cli.Shell").And().DoNotHaveName("Shell");
        Assert.NotEmpty(shell.GetTypes());

        var result = UseNoKernelImplementation(shell);

        Assert.True(result.IsSuccessful, "shell types that reach around the syscall interface: " + Failing(result));
    }

    [Fact]
    public void The_ipc_script_language_uses_no_kernel_implementation_type()
    {
        var script = Types.InAssembly(typeof(Prison.IpcScript.PrisonBackend).Assembly).That().ResideInNamespaceStartingWith("Prison.IpcScript");

        var result = UseNoKernelImplementation(script);

        Assert.True(result.IsSuccessful, "script types that reach around the syscall interface: " + Failing(result));
    }

    /// <summary>The control: the same rule fails on a command that is given the kernel, so a pass above means something.</summary>
    [Fact]
    public void The_rule_fails_for_a_command_given_the_kernel()
    {
        var violations = Types.InAssembly(typeof(CliBoundaryTests).Assembly).That().ResideInNamespace("Prison.Architecture.Tests.Violations");

        var result = UseNoKernelImplementation(violations);

        Assert.False(result.IsSuccessful);
        Assert.Contains("Prison.Architecture.Tests.Violations.KernelHandedCommand", result.FailingTypeNames ?? []);
    }
}
