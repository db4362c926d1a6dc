using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Prison.Core.Procs;

namespace Prison.Core.Modules;

/// <summary>kldload of plugin files: finding the file, loading it on its own context, and verifying its unload.</summary>
internal sealed partial class ModuleManager
{
    /// <summary>How many full collections an unloaded context gets to disappear before it counts as leaked.</summary>
    internal const int CollectAttempts = 20;

    /// <summary>
    /// kldload NAME|PATH: finds the plugin on <see cref="ModulePath"/> (or at PATH), loads it on its own
    /// collectible load context and calls its load hook.
    /// </summary>
    /// <remarks>
    /// A PATH contains a '/' or ends in <c>.dll</c>; a NAME is looked up on each folder of
    /// <c>kern.module_path</c> as <c>DIR/NAME/NAME.dll</c>, then <c>DIR/NAME.dll</c>. Errors, in order:
    /// EPERM unless root of the host; EINVAL for an empty name; ENOENT when no file is found; EEXIST
    /// when the file or a module of the same name is loaded; ENOEXEC when the file is not an assembly
    /// with exactly one public, concrete <see cref="KernelModule"/> with a public parameterless
    /// constructor; ENOENT when a dependency is not loaded; the load hook's error (EDOOFUS for a plain
    /// exception). On any failure every registration is undone and the context is unloaded.
    /// </remarks>
    public SysResult<LoadedModule> Load(Ucred caller, string nameOrPath)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(nameOrPath);
        if (Priv.Check(caller, Privilege.KldLoad) != Errno.OK)
            return SysResult<LoadedModule>.Fail(Errno.EPERM, "kldload: not permitted");
        if (string.IsNullOrWhiteSpace(nameOrPath))
            return SysResult<LoadedModule>.Fail(Errno.EINVAL, "kldload: no module name given");
        var file = FindModuleFile(nameOrPath);
        if (file is null)
            return SysResult<LoadedModule>.Fail(Errno.ENOENT, $"can't load {nameOrPath}: No such file or directory");

        SysResult<LoadedModule> result;
        WeakReference? failedContext;
        lock (_lock)
        {
            if (_modules.Any(m => m.State == ModuleState.Loaded && m.Path == file))
                return SysResult<LoadedModule>.Fail(Errno.EEXIST, $"can't load {nameOrPath}: module already loaded or in kernel");
            result = LoadFile(file, out failedContext);
        }
        if (failedContext is not null && !WaitUntilCollected(failedContext))
            _log.LogWarning("the load context of {File} was not collected after its failed load: something still references the plugin", file);
        return result;
    }

    /// <summary>
    /// Resolves a kldload argument to a full file path, or null. A PATH may also name a plugin's folder
    /// (<c>DIR/NAME</c> means <c>DIR/NAME/NAME.dll</c>).
    /// </summary>
    public string? FindModuleFile(string nameOrPath)
    {
        ArgumentNullException.ThrowIfNull(nameOrPath);
        var isDll = nameOrPath.EndsWith(".dll", StringComparison.OrdinalIgnoreCase);
        if (nameOrPath.Contains('/', StringComparison.Ordinal) || isDll)
        {
            var full = Path.GetFullPath(nameOrPath);
            if (File.Exists(full))
                return full;
            if (Directory.Exists(full))
            {
                var inFolder = Path.Combine(full, Path.GetFileName(full.TrimEnd('/')) + ".dll");
                return File.Exists(inFolder) ? inFolder : null;
            }
            if (nameOrPath.Contains('/', StringComparison.Ordinal))
                return null;
        }
        // A bare NAME (or NAME.dll that is not in the current folder): search kern.module_path.
        var name = isDll ? nameOrPath[..^4] : nameOrPath;
        foreach (var dir in ModulePath.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            foreach (var candidate in (string[])[Path.Combine(dir, name, name + ".dll"), Path.Combine(dir, name + ".dll")])
            {
                if (File.Exists(candidate))
                    return Path.GetFullPath(candidate);
            }
        }
        return null;
    }

    /// <summary>Waits, with a bounded number of full collections, until <paramref name="context"/> is collected.</summary>
    internal static bool WaitUntilCollected(WeakReference context) => CollectionsUntilCollected(context) >= 0;

    /// <summary>The number of full collections it took for <paramref name="context"/> to die, or -1 if it did not.</summary>
    internal static int CollectionsUntilCollected(WeakReference context)
    {
        // A collectible context dies in steps (its loader allocator is finalized first), so one
        // collection is rarely enough; the .NET unloadability guide loops like this.
        for (var i = 0; i < CollectAttempts; i++)
        {
            if (!context.IsAlive)
                return i;
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        return context.IsAlive ? -1 : CollectAttempts;
    }

    /// <summary>Loads and starts the plugin in <paramref name="file"/>; on failure, unloads its context and returns it weakly.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private SysResult<LoadedModule> LoadFile(string file, out WeakReference? failedContext)
    {
        failedContext = null;
        PluginLoadContext context;
        try
        {
            context = new PluginLoadContext(file);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or IOException)
        {
            return SysResult<LoadedModule>.Fail(Errno.ENOEXEC, $"{file}: cannot read the plugin's dependencies: {ex.Message}");
        }
        var started = StartPlugin(context, file);
        if (started.Ok)
        {
            started.Value.PluginContext = context;
            return started;
        }
        failedContext = context.Unload();
        return started;
    }

    /// <summary>Finds the plugin's module type, creates it and starts it like a linked-in module.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private SysResult<LoadedModule> StartPlugin(PluginLoadContext context, string file)
    {
        Type[] exported;
        try
        {
            exported = context.LoadMain().GetExportedTypes();
        }
        catch (BadImageFormatException)
        {
            return SysResult<LoadedModule>.Fail(Errno.ENOEXEC, $"{file}: not a .NET assembly");
        }
        catch (Exception ex) when (ex is FileLoadException or FileNotFoundException or ReflectionTypeLoadException or TypeLoadException)
        {
            return SysResult<LoadedModule>.Fail(Errno.ENOEXEC, $"{file}: cannot load the plugin's types: {ex.Message}");
        }
        var candidates = exported.Where(t => t.IsClass && !t.IsAbstract && t.IsSubclassOf(typeof(KernelModule))).ToArray();
        if (candidates.Length == 0)
        {
            return SysResult<LoadedModule>.Fail(Errno.ENOEXEC,
                $"{file}: no public, non-abstract {nameof(KernelModule)} subclass (does the plugin ship its own copy of Prison.Core?)");
        }
        if (candidates.Length > 1)
        {
            return SysResult<LoadedModule>.Fail(Errno.ENOEXEC,
                $"{file}: more than one {nameof(KernelModule)} subclass: {string.Join(", ", candidates.Select(t => t.FullName))}");
        }
        var type = candidates[0];
        if (type.GetConstructor(Type.EmptyTypes) is null)
            return SysResult<LoadedModule>.Fail(Errno.ENOEXEC, $"{file}: {type.FullName} has no public parameterless constructor");
        KernelModule module;
        try
        {
            module = (KernelModule)Activator.CreateInstance(type)!;
        }
        catch (TargetInvocationException ex)
        {
            _log.LogWarning(ex.InnerException, "the constructor of {Type} in {File} threw", type.FullName, file);
            return SysResult<LoadedModule>.Fail(Errno.EDOOFUS, $"{file}: the constructor of {type.FullName} threw: {ex.InnerException?.Message}");
        }
        return Start(module, file);
    }
}
