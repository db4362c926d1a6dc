using System.Globalization;
using System.Text.Json;
using Prison.Cli.Shell;
using Prison.Core;
using Prison.Core.Modules;

namespace Prison.Cli.Userland;

/// <summary>kldload(8), kldunload(8) and kldstat(8).</summary>
internal static class KldCommands
{
    public static int Load(CommandContext context)
    {
        var options = Getopt.Parse(context.Args, "nqv", allowJson: false, out var error);
        if (options is null)
            return context.BadOption(error!);
        if (options.Operands.Count == 0)
            return context.Usage();
        var status = 0;
        foreach (var name in options.Operands)
        {
            if (options.Has('n') && context.Kernel.Modules.Find(name) is not null)
                continue;
            var loaded = context.Kernel.Modules.Load(context.Proc.Cred, name);
            if (!loaded.Ok)
            {
                if (!options.Has('q'))
                    context.Err.WriteLine($"kldload: can't load {CommandLineParser.Printable(name)}: {LoadError(loaded)}");
                status = 1;
                continue;
            }
            if (options.Has('v'))
                context.Out.WriteLine($"Loaded {loaded.Value.Name}, id={loaded.Value.Id.ToString(CultureInfo.InvariantCulture)}");
        }
        return status;
    }

    public static int Unload(CommandContext context)
    {
        var options = Getopt.Parse(context.Args, "fi:v", allowJson: false, out var error);
        if (options is null)
            return context.BadOption(error!);
        var targets = options.Value('i') is { } id ? [id, .. options.Operands] : options.Operands;
        if (targets.Count == 0)
            return context.Usage();
        var status = 0;
        foreach (var name in targets)
        {
            var unloaded = context.Kernel.Modules.Unload(context.Proc.Cred, name, options.Has('f'));
            if (unloaded.Ok)
            {
                if (options.Has('v'))
                    context.Out.WriteLine($"Unloading {name}, id={unloaded.Value.ToString(CultureInfo.InvariantCulture)}");
                continue;
            }
            status = 1;
            context.Err.WriteLine(unloaded.Error == Errno.ENOENT
                ? $"kldunload: can't find file {CommandLineParser.Printable(name)}"
                : $"kldunload: can't unload file: {unloaded.Error.Describe()}");
        }
        return status;
    }

    public static int Stat(CommandContext context)
    {
        var options = Getopt.Parse(context.Args, "n:qv", allowJson: true, out var error);
        if (options is null)
            return context.BadOption(error!);
        if (options.Operands.Count > 0)
            return context.Usage();
        var modules = context.Kernel.Modules.List();
        if (options.Value('n') is { } only)
        {
            modules = modules.Where(m => m.Name == only).ToArray();
            if (modules.Count == 0)
            {
                if (!options.Has('q'))
                    context.Err.WriteLine($"kldstat: can't find file {CommandLineParser.Printable(only)}");
                return 1;
            }
        }
        var kernelVersion = typeof(Kernel).Assembly.GetName().Version?.ToString() ?? "0";
        var kernelRefs = 1 + modules.Count(m => m.State == ModuleState.Loaded);
        if (options.Json)
        {
            var rows = new List<object>();
            if (options.Value('n') is null)
                rows.Add(new { id = 1, refs = kernelRefs, version = kernelVersion, state = "loaded", name = "kernel", path = (string?)null, registrations = Array.Empty<string>() });
            rows.AddRange(modules.Select(m => new
            {
                id = m.Id,
                refs = m.References,
                version = m.Version.ToString(),
                state = StateName(m.State),
                name = m.Name,
                path = DisplayPath(m.Path),
                registrations = m.Registrations,
            }));
            context.Out.WriteLine(JsonSerializer.Serialize(new { module = rows }, JsonOutput.Options));
            return 0;
        }
        context.Out.WriteLine("Id Refs Version    State          Name             Path");
        if (options.Value('n') is null)
            context.Out.WriteLine(Row(1, kernelRefs, kernelVersion, "loaded", "kernel", "-"));
        foreach (var m in modules)
        {
            context.Out.WriteLine(Row(m.Id, m.References, m.Version.ToString(), StateName(m.State), m.Name, DisplayPath(m.Path) ?? "(linked in)"));
            if (options.Has('v'))
            {
                context.Out.WriteLine("\tContains modules:");
                foreach (var r in m.Registrations)
                    context.Out.WriteLine($"\t\t{r}");
            }
        }
        return 0;
    }

    private static string Row(int id, int refs, string version, string state, string name, string path) =>
        $"{id,2} {refs,4} {version,-10} {state,-14} {name,-16} {path}".TrimEnd();

    private static string StateName(ModuleState state) => state switch
    {
        ModuleState.Loaded => "loaded",
        ModuleState.UnloadPending => "unload-pending",
        _ => "leaked",
    };

    /// <summary>A plugin path relative to the program's folder when it lies inside it (stable across machines).</summary>
    private static string? DisplayPath(string? path)
    {
        if (path is null)
            return null;
        var relative = Path.GetRelativePath(AppContext.BaseDirectory, path);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? path : relative.Replace('\\', '/');
    }

    private static string LoadError(SysResult<LoadedModule> result) => result.Error switch
    {
        Errno.EEXIST => "module already loaded or in kernel",
        Errno.ENOENT => "No such file or directory",
        Errno.EDOOFUS when result.Message is not null => CommandLineParser.Printable(result.Message),
        _ => result.Error.Describe(),
    };
}
