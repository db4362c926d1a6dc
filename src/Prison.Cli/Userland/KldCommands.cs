using System.Globalization;
using System.Text.Json;
using Prison.Cli.Shell;
using Prison.Core;
using Prison.Core.Modules;
using Prison.Core.Syscalls;

namespace Prison.Cli.Userland;

/// <summary>kldload(8), kldunload(8) and kldstat(8).</summary>
internal static class KldCommands
{
    public static int Load(CommandContext context)
    {
        if (context.GetoptOperands("nqv", out var usage) is not { } options)
            return usage;
        var status = 0;
        foreach (var name in options.Operands)
        {
            if (options.Has('n') && context.Syscalls.KldFind(context.Proc, name).Ok)
                continue;
            var loaded = context.Syscalls.KldLoad(context.Proc, name);
            if (!loaded.Ok)
            {
                if (!options.Has('q'))
                    context.Err.WriteLine($"kldload: can't load {CommandLineParser.Printable(name)}: {LoadError(loaded)}");
                status = 1;
                continue;
            }
            if (options.Has('v'))
            {
                var stat = context.Syscalls.KldStat(context.Proc, loaded.Value);
                context.Out.WriteLine($"Loaded {(stat.Ok ? stat.Value.Name : name)}, id={loaded.Value.ToString(CultureInfo.InvariantCulture)}");
            }
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
            // kldunload.c: -i names a file id, an operand a file name (kldfind). kldunload(2) then checks
            // the privilege before it looks the id up, as the kernel does.
            var fileid = int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? SysResult<int>.Success(parsed) : context.Syscalls.KldFind(context.Proc, name);
            var unloaded = fileid.Ok ? context.Syscalls.KldUnload(context.Proc, fileid.Value, options.Has('f')) : fileid;
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
        // kldnext/kldstat: the kernel hands back copies (kld_file_stat), the kernel itself first (id 1).
        var files = new List<KldFileStat>();
        for (var next = context.Syscalls.KldNext(context.Proc, 0); next.Ok && next.Value != 0; next = context.Syscalls.KldNext(context.Proc, next.Value))
        {
            if (context.Syscalls.KldStat(context.Proc, next.Value) is { Ok: true } stat)
                files.Add(stat.Value);
        }
        if (options.Value('n') is { } only)
        {
            files = files.Where(m => m.Id != SyscallInterface.KernelFileId && m.Name == only).ToList();
            if (files.Count == 0)
            {
                if (!options.Has('q'))
                    context.Err.WriteLine($"kldstat: can't find file {CommandLineParser.Printable(only)}");
                return 1;
            }
        }
        if (options.Json)
        {
            var rows = files.Select(m => new
            {
                id = m.Id,
                refs = m.Refs,
                version = m.Version.ToString(),
                state = StateName(m.State),
                name = m.Name,
                path = DisplayPath(m.PathName),
                registrations = m.Registrations,
            });
            context.Out.WriteLine(JsonSerializer.Serialize(new { module = rows }, JsonOutput.Options));
            return 0;
        }
        context.Out.WriteLine("Id Refs Version    State          Name             Path");
        foreach (var m in files)
        {
            var path = m.Id == SyscallInterface.KernelFileId ? "-" : DisplayPath(m.PathName) ?? "(linked in)";
            context.Out.WriteLine(Row(m.Id, m.Refs, m.Version.ToString(), StateName(m.State), m.Name, path));
            if (options.Has('v') && m.Id != SyscallInterface.KernelFileId)
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

    private static string LoadError(SysResult<int> result) => result.Error switch
    {
        Errno.EEXIST => "module already loaded or in kernel",
        Errno.ENOENT => "No such file or directory",
        Errno.EDOOFUS when result.Message is not null => CommandLineParser.Printable(result.Message),
        _ => result.Error.Describe(),
    };
}
