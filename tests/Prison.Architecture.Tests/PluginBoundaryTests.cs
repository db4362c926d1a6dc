using System.Reflection;
using NetArchTest.Rules;
using Prison.Core;
using Prison.Core.Jails;
using Prison.Core.Modules;
using Prison.Core.Procs;
using Prison.Core.Rctl;
using Prison.Core.Services;
using Prison.Core.Syscalls;
using Prison.Core.Sysctl;
using Prison.Core.Vfs;

namespace Prison.Architecture.Tests;

/// <summary>
/// Plugins get verbs, not the kernel: a module reaches the kernel only through its
/// <see cref="ModuleContext"/>, whose registrations are recorded and undone at unload. Nothing the
/// context hands out leads to the kernel or to a registry, where a plugin could register around the undo
/// log; and no plugin assembly names a kernel implementation type.
/// </summary>
public class PluginBoundaryTests
{
    /// <summary>
    /// The kernel and its implementation objects: the registries (a registration made on one directly is
    /// not undone at unload), the tables, and the userland-facing syscall objects.
    /// </summary>
    private static readonly Type[] KernelImplementation =
    [
        typeof(Kernel),
        typeof(Kenv),
        typeof(JailTable),
        typeof(JailSyscalls),
        typeof(JailParameterRegistry),
        typeof(ServiceRegistry),
        typeof(SyscallTable),
        typeof(SyscallGate<>),
        typeof(SyscallLease<>),
        typeof(SysctlTree),
        typeof(ProcessTable),
        typeof(Racct),
        typeof(RctlSyscalls),
        typeof(VirtualFileSystem),
        typeof(ModuleManager),
        typeof(LoadedModule),
        typeof(ModuleWatcher),
    ];

    private static readonly Assembly[] PluginAssemblies =
    [
        typeof(Prison.Plugins.SysvShm.SysvShmModule).Assembly,
        typeof(Prison.Plugins.SysvSem.SysvSemModule).Assembly,
        typeof(Prison.Plugins.SysvMsg.SysvMsgModule).Assembly,
        typeof(Prison.Plugins.ZfsDataset.ZfsModule).Assembly,
    ];

    /// <summary>The test plugin, built and copied beside the tests (HostsPlugins), read from its file.</summary>
    private static string TestPluginPath => Path.Combine(AppContext.BaseDirectory, "plugins", "testplugin", "testplugin.dll");

    private static string[] ForbiddenNames => [.. KernelImplementation.Select(t => t.FullName!)];

    [Fact]
    public void No_public_member_of_the_module_context_leads_to_the_kernel_or_a_registry()
    {
        var leaks = Leaks(typeof(ModuleContext));

        Assert.True(leaks.Count == 0, "ModuleContext hands out the kernel or a registry:\n" + string.Join('\n', leaks));
    }

    [Fact]
    public void The_module_api_is_what_a_module_sees()
    {
        // A module also sees what the loader passes to KernelModule's hooks; the same rule holds there.
        var leaks = Leaks(typeof(KernelModule));

        Assert.True(leaks.Count == 0, "KernelModule exposes the kernel or a registry:\n" + string.Join('\n', leaks));
    }

    [Fact]
    public void Plugins_depend_on_no_kernel_implementation_type()
    {
        var result = Types.InAssemblies(PluginAssemblies)
            .ShouldNot().HaveDependencyOnAny(ForbiddenNames)
            .GetResult();

        Assert.True(result.IsSuccessful, "plugin types that use the kernel: " + string.Join(", ", result.FailingTypeNames ?? []));
    }

    [Fact]
    public void The_test_plugin_depends_on_no_kernel_implementation_type()
    {
        Assert.True(File.Exists(TestPluginPath), $"{TestPluginPath} was not built beside the tests");

        var result = Types.FromFile(TestPluginPath)
            .ShouldNot().HaveDependencyOnAny(ForbiddenNames)
            .GetResult();

        Assert.True(result.IsSuccessful, "test plugin types that use the kernel: " + string.Join(", ", result.FailingTypeNames ?? []));
    }

    /// <summary>
    /// The rule matches whole type names: every plugin uses <c>KernelModule</c> and most use
    /// <c>KernelErrorException</c>, whose names start with <c>Kernel</c>, and still passes above. This
    /// control shows it does see a real use of <see cref="Kernel"/>.
    /// </summary>
    [Fact]
    public void Control_the_dependency_rule_sees_a_type_that_holds_the_kernel()
    {
        var result = Types.InAssembly(typeof(PluginBoundaryTests).Assembly)
            .That().HaveNameStartingWith("Leaky")
            .ShouldNot().HaveDependencyOnAny(ForbiddenNames)
            .GetResult();

        Assert.False(result.IsSuccessful);
        Assert.Contains(result.FailingTypeNames ?? [], name => name.EndsWith("LeakyHandle", StringComparison.Ordinal));
    }

    /// <summary>The walk below finds a kernel two steps away, and a registry handed to a callback.</summary>
    [Fact]
    public void Control_the_walk_finds_the_kernel_behind_a_handle_and_a_registry_behind_a_callback()
    {
        var leaks = Leaks(typeof(LeakyContext));

        Assert.Contains(leaks, l => l.EndsWith("LeakyHandle.Kernel -> Prison.Core.Kernel", StringComparison.Ordinal));
        Assert.Contains(leaks, l => l.Contains("LeakyContext.OnRegistry", StringComparison.Ordinal) && l.EndsWith("Prison.Core.Services.ServiceRegistry", StringComparison.Ordinal));
    }

    /// <summary>
    /// Walks every public signature reachable from <paramref name="root"/>: property, field and event types,
    /// method returns and parameters (a callback's parameters are handed to the module too), generic
    /// arguments, array elements, delegate signatures. Only types of Prison.Core and of the root's own
    /// assembly are walked into. Returns the path to each kernel implementation type it meets.
    /// </summary>
    private static List<string> Leaks(Type root)
    {
        var forbidden = KernelImplementation.ToHashSet();
        var walkInto = new HashSet<Assembly> { typeof(Kernel).Assembly, root.Assembly };
        var leaks = new List<string>();
        var seen = new HashSet<Type>();
        var queue = new Queue<(Type Type, string Path)>();
        Visit(root, root.FullName!);
        while (queue.Count > 0)
        {
            var (type, path) = queue.Dequeue();
            foreach (var (member, used) in Signatures(type))
            {
                foreach (var t in Constituents(used))
                    Visit(t, $"{path} -> {type.Name}.{member}");
            }
        }
        return leaks;

        void Visit(Type type, string path)
        {
            var definition = type.IsGenericType ? type.GetGenericTypeDefinition() : type;
            if (forbidden.Contains(definition))
            {
                leaks.Add($"{path} -> {definition.FullName}");
                return;
            }
            if (walkInto.Contains(definition.Assembly) && seen.Add(definition))
                queue.Enqueue((definition, path));
        }
    }

    private const BindingFlags Visible = BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static;

    /// <summary>The types named in <paramref name="type"/>'s public (and, for a module's base class, protected) signatures.</summary>
    private static IEnumerable<(string Member, Type Used)> Signatures(Type type)
    {
        if (type.BaseType is { } baseType && baseType != typeof(object))
            yield return ("(base)", baseType);
        foreach (var i in type.GetInterfaces())
            yield return ("(interface)", i);
        if (typeof(Delegate).IsAssignableFrom(type) && type.GetMethod("Invoke") is { } invoke)
        {
            yield return ("Invoke", invoke.ReturnType);
            foreach (var p in invoke.GetParameters())
                yield return ($"Invoke({p.Name})", p.ParameterType);
            yield break;
        }
        foreach (var p in type.GetProperties(Visible))
            yield return (p.Name, p.PropertyType);
        foreach (var f in type.GetFields(Visible))
            yield return (f.Name, f.FieldType);
        foreach (var e in type.GetEvents(Visible))
            yield return (e.Name, e.EventHandlerType!);
        foreach (var m in type.GetMethods(Visible | BindingFlags.NonPublic).Where(m => (m.IsPublic || m.IsFamily || m.IsFamilyOrAssembly) && !m.IsSpecialName))
        {
            yield return (m.Name, m.ReturnType);
            foreach (var p in m.GetParameters())
                yield return ($"{m.Name}({p.Name})", p.ParameterType);
        }
        foreach (var c in type.GetConstructors(Visible))
        {
            foreach (var p in c.GetParameters())
                yield return ($".ctor({p.Name})", p.ParameterType);
        }
    }

    /// <summary>A signature's type and what it is made of: element types and generic arguments.</summary>
    private static IEnumerable<Type> Constituents(Type type)
    {
        if (type.IsGenericParameter)
            yield break;
        if (type.HasElementType)
        {
            foreach (var t in Constituents(type.GetElementType()!))
                yield return t;
            yield break;
        }
        yield return type;
        if (type.IsGenericType)
        {
            foreach (var t in type.GetGenericArguments().SelectMany(Constituents))
                yield return t;
        }
    }

    /// <summary>For the controls: a context that hands out a handle to the kernel and a registry to a callback.</summary>
    public sealed class LeakyContext
    {
        public LeakyHandle Handle { get; } = new();

        public void OnRegistry(Action<ServiceRegistry> callback) => ArgumentNullException.ThrowIfNull(callback);
    }

    /// <summary>For the controls: a handle that holds the kernel.</summary>
    public sealed class LeakyHandle
    {
        public Kernel? Kernel { get; }
    }
}
