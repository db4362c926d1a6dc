namespace Prison.Core.Modules;

/// <summary>A module's state as kldstat shows it.</summary>
public enum ModuleState
{
    /// <summary>Loaded and running.</summary>
    Loaded,
    /// <summary>Being unloaded: its registrations are being undone (its syscalls drained), or its load context is waiting to be collected.</summary>
    UnloadPending,
    /// <summary>Unloaded, but its load context was not collected (something still references the plugin).</summary>
    Leaked,
}

/// <summary>A loaded (or unloaded-but-leaked) module.</summary>
internal sealed class LoadedModule
{
    /// <remarks>
    /// Name, version and dependencies are copies read before the module loaded: nothing here may point
    /// at an object of the plugin (a list made by a collection expression is a type of the plugin's own
    /// assembly), or kldstat would keep an unloaded plugin alive.
    /// </remarks>
    internal LoadedModule(int id, KernelModule module, ModuleIdentity identity, ModuleContext context, string? path)
    {
        Id = id;
        Module = module;
        Name = identity.Name;
        Version = identity.Version;
        Context = context;
        Path = path;
        DependsOn = identity.DependsOn;
    }

    /// <summary>The kldstat id (1 is the kernel itself; modules start at 2).</summary>
    public int Id { get; }

    /// <summary>The module name.</summary>
    public string Name { get; }

    /// <summary>The module version.</summary>
    public Version Version { get; }

    /// <summary>The file it was loaded from, or null for a module linked into the host.</summary>
    public string? Path { get; }

    /// <summary>Modules this one needs.</summary>
    public IReadOnlyList<string> DependsOn { get; }

    /// <summary>The state.</summary>
    public ModuleState State { get; internal set; }

    /// <summary>References: 1, plus one per loaded module that depends on this one.</summary>
    public int References { get; internal set; } = 1;

    /// <summary>
    /// What the module has registered, in order (kldstat -v): a copy taken at each read, empty once
    /// the module is unloaded.
    /// </summary>
    /// <remarks>The registrar itself stays inside the kernel: a kldstat caller must not be able to
    /// register in the module's name, or hold the module instance and keep an unloaded plugin alive.</remarks>
    public IReadOnlyList<string> Registrations => Context.Registrations;

    /// <summary>The registrar (what the module registered).</summary>
    internal ModuleContext Context { get; }

    /// <summary>The module instance (null after unload, so the plugin's types can be collected).</summary>
    internal KernelModule? Module { get; set; }

    /// <summary>The plugin's load context, when loaded from a file (weakly held after unload).</summary>
    internal WeakReference? LoadContext { get; set; }

    /// <summary>The plugin's load context while the module is loaded (null for linked-in modules and after unload).</summary>
    internal PluginLoadContext? PluginContext { get; set; }

    /// <inheritdoc />
    public override string ToString() =>
        $"{Id} {References} {Name} {Version} {Path ?? "(linked into the host)"} {State}";
}

/// <summary>What the manager copies out of a module before loading it (see <see cref="LoadedModule"/>).</summary>
internal sealed record ModuleIdentity(string Name, Version Version, string[] DependsOn)
{
    /// <summary>Reads the module's name, version and dependencies into host-owned objects.</summary>
    public static ModuleIdentity Of(KernelModule module) =>
        new(module.Name, module.Version, [.. module.DependsOn]);
}
