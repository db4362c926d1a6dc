using System.Reflection;
using System.Runtime.Loader;
using Prison.Core.Modules;

namespace Prison.Benchmarks.Infrastructure;

/// <summary>
/// The hand-written load context Prison used before McMaster.NETCore.Plugins, kept here as the
/// baseline of <see cref="LoaderBenchmarks"/>. The collectible load context of one plugin. It shares the contract assemblies with the host,
/// resolves the plugin's private dependencies from the plugin's own folder (its <c>.deps.json</c>),
/// and falls back to the host for everything the plugin does not ship.
/// </summary>
/// <remarks>
/// Assemblies are read into memory and loaded from the bytes, so the files are never locked: a plugin
/// can be rebuilt and loaded again while the process runs. Native libraries are the exception (the OS
/// loader needs a file) and are loaded from their path.
/// </remarks>
internal sealed class HandWrittenLoadContext : AssemblyLoadContext
{
    /// <summary>
    /// Assemblies whose types cross the host/plugin boundary. They always come from the host's default
    /// context, even when a copy sits beside the plugin: two copies would be two sets of types, and the
    /// plugin's KernelModule would not be the host's.
    /// </summary>
    private static readonly HashSet<string> SharedAssemblies = new(StringComparer.OrdinalIgnoreCase)
    {
        typeof(KernelModule).Assembly.GetName().Name!,
        typeof(Microsoft.Extensions.Logging.ILogger).Assembly.GetName().Name!,
    };

    private readonly AssemblyDependencyResolver _resolver;

    /// <summary>Creates the context for the plugin whose main assembly is <paramref name="mainAssemblyPath"/>.</summary>
    public HandWrittenLoadContext(string moduleName, string mainAssemblyPath)
        : base("plugin:" + moduleName, isCollectible: true)
    {
        MainAssemblyPath = mainAssemblyPath;
        _resolver = new AssemblyDependencyResolver(mainAssemblyPath);
    }

    /// <summary>The plugin's main assembly file.</summary>
    public string MainAssemblyPath { get; }

    /// <summary>True for an assembly the plugin must take from the host.</summary>
    public static bool IsShared(AssemblyName name) => name.Name is { } n && SharedAssemblies.Contains(n);

    /// <summary>Loads the plugin's main assembly.</summary>
    public Assembly LoadMain() => LoadFromBytes(MainAssemblyPath);

    /// <inheritdoc />
    protected override Assembly? Load(AssemblyName assemblyName)
    {
        if (IsShared(assemblyName))
            return Default.LoadFromAssemblyName(assemblyName);
        var path = _resolver.ResolveAssemblyToPath(assemblyName);
        // Null: the plugin does not ship it (framework or host assembly); the default context answers.
        return path is not null && File.Exists(path) ? LoadFromBytes(path) : null;
    }

    /// <inheritdoc />
    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        var path = _resolver.ResolveUnmanagedDllToPath(unmanagedDllName);
        return path is null ? IntPtr.Zero : LoadUnmanagedDllFromPath(path);
    }

    private Assembly LoadFromBytes(string path)
    {
        // Read the whole file first: loading from a stream over the file would keep it open.
        using var image = new MemoryStream(File.ReadAllBytes(path), writable: false);
        var pdbPath = Path.ChangeExtension(path, ".pdb");
        if (!File.Exists(pdbPath))
            return LoadFromStream(image);
        using var symbols = new MemoryStream(File.ReadAllBytes(pdbPath), writable: false);
        return LoadFromStream(image, symbols);
    }
}
