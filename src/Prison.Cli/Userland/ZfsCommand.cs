using Prison.Cli.Shell;
using Prison.Core;
using Prison.Core.Zfs;

namespace Prison.Cli.Userland;

/// <summary>
/// zfs(8), the subset the zfs module models: create, destroy, list, get, set, snapshot, rename, mount,
/// unmount, jail and unjail, over the <see cref="ZfsCalls"/> syscalls. Errors are libzfs's
/// (<c>cannot create 'tank/x': parent does not exist</c>) on standard error with status 1; usage errors
/// exit 2 as zfs(8) does. The model's zfs does not load the module itself (libzfs would kldload it):
/// while it is not loaded every command fails as FreeBSD's does when zfs.ko is missing.
/// </summary>
internal static class ZfsCommand
{
    /// <summary>libzfs_init's complaint on FreeBSD when the zfs module cannot be had.</summary>
    public const string NotLoaded = "Failed to load zfs module: No such file or directory";

    private static readonly Dictionary<string, Func<CommandContext, IReadOnlyList<string>, int>> Subcommands = new(StringComparer.Ordinal)
    {
        ["create"] = Create,
        ["destroy"] = Destroy,
        ["list"] = List,
        ["get"] = Get,
        ["set"] = Set,
        ["snapshot"] = Snapshot,
        ["snap"] = Snapshot,
        ["rename"] = Rename,
        ["mount"] = Mount,
        ["unmount"] = Unmount,
        ["umount"] = Unmount,
        ["jail"] = (c, a) => JailOrUnjail(c, a, attach: true),
        ["unjail"] = (c, a) => JailOrUnjail(c, a, attach: false),
    };

    public static int Run(CommandContext context)
    {
        if (context.Args.Count == 0)
            return Usage(context, "zfs command args ...\nwhere 'command' is one of: create destroy list get set snapshot rename mount unmount jail unjail");
        var name = context.Args[0];
        if (!Subcommands.TryGetValue(name, out var handler))
        {
            context.Err.WriteLine($"unrecognized command '{CommandLineParser.Printable(name)}'");
            return Usage(context, "zfs command args ...");
        }
        return handler(context, context.Args.Skip(1).ToArray());
    }

    /// <summary>Prints a failed call: libzfs's message, or the missing-module line for ENOSYS.</summary>
    public static int Report<T>(CommandContext context, SysResult<T> result)
    {
        context.Err.WriteLine(result.Error == Errno.ENOSYS ? NotLoaded : result.ErrorText);
        return 1;
    }

    /// <summary>zfs(8)'s usage: the synopsis on standard error and status 2.</summary>
    public static int Usage(CommandContext context, string synopsis)
    {
        context.Err.WriteLine($"usage: {synopsis}");
        return 2;
    }

    private static int Create(CommandContext context, IReadOnlyList<string> args)
    {
        const string synopsis = "zfs create [-p] [-o property=value] ... filesystem";
        var options = Getopt.Parse(args, "po:", allowJson: false, out var error);
        if (options is null)
            return Usage(context, synopsis);
        if (options.Operands.Count != 1)
            return Usage(context, synopsis);
        var properties = new List<KeyValuePair<string, string>>();
        foreach (var (_, assignment) in options.Items.Where(i => i.Option == 'o'))
        {
            var eq = assignment!.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                context.Err.WriteLine("missing '=' for property=value argument");
                return Usage(context, synopsis);
            }
            properties.Add(new(ZfsProperties.Canonical(assignment[..eq]), assignment[(eq + 1)..]));
        }
        var created = context.Syscalls.ZfsCreate(context.Proc, options.Operands[0], options.Has('p'), properties);
        return created.Ok ? 0 : Report(context, created);
    }

    private static int Destroy(CommandContext context, IReadOnlyList<string> args)
    {
        var options = Getopt.Parse(args, "r", allowJson: false, out _);
        if (options is null || options.Operands.Count != 1)
            return Usage(context, "zfs destroy [-r] filesystem|snapshot");
        var destroyed = context.Syscalls.ZfsDestroy(context.Proc, options.Operands[0], options.Has('r'));
        return destroyed.Ok ? 0 : Report(context, destroyed);
    }

    private static int List(CommandContext context, IReadOnlyList<string> args)
    {
        const string synopsis = "zfs list [-Hpr] [-o property[,property]...] [-t type[,type]...] [filesystem|snapshot] ...";
        var options = Getopt.Parse(args, "Hpro:t:", allowJson: false, out _);
        if (options is null)
            return Usage(context, synopsis);
        var columns = options.Value('o') is { } o
            ? o.Split(',').Select(ZfsProperties.Canonical).ToArray()
            : ZfsProperties.ListDefault;
        var types = (options.Value('t') ?? "filesystem").Split(',');
        if (types.FirstOrDefault(t => t is not ("filesystem" or "snapshot" or "snap" or "all")) is { } badType)
        {
            context.Err.WriteLine($"invalid type '{CommandLineParser.Printable(badType)}'");
            return Usage(context, synopsis);
        }
        var wantFs = types.Any(t => t is "filesystem" or "all");
        var wantSnap = types.Any(t => t is "snapshot" or "snap" or "all");
        // Ask the module for the columns it knows, plus the type to filter on; available is derived here.
        var asked = columns.Where(c => c != ZfsProperties.Available).Append("type").Distinct().ToArray();
        var names = options.Operands.Count == 0 ? [null] : options.Operands.Cast<string?>().ToArray();
        var rows = new List<IReadOnlyList<string>>();
        Func<string, string>? available = null;
        var status = 0;
        foreach (var name in names)
        {
            var listed = context.Syscalls.ZfsList(context.Proc, name, options.Has('r'), asked, includeSnapshots: wantSnap);
            if (!listed.Ok)
            {
                if (listed.Error == Errno.EINVAL && listed.Message?.StartsWith("invalid property", StringComparison.Ordinal) == true)
                {
                    context.Err.WriteLine(listed.Message);
                    return Usage(context, synopsis);
                }
                status = Report(context, listed);
                if (listed.Error == Errno.ENOSYS)
                    return status;
                continue;
            }
            if (columns.Contains(ZfsProperties.Available) && available is null)
            {
                var calculator = ZfsProperties.AvailableCalculator(context.Syscalls, context.Proc);
                if (!calculator.Ok)
                    return Report(context, calculator);
                available = calculator.Value;
            }
            foreach (var row in listed.Value)
            {
                var isSnapshot = row["type"] == "snapshot";
                // A snapshot named on the command line is listed whatever -t says, as zfs(8) does.
                if (name != row.Name && (isSnapshot ? !wantSnap : !wantFs))
                    continue;
                rows.Add(columns.Select(c => c == ZfsProperties.Available
                    ? ZfsProperties.Display(c, available!(row.Name), options.Has('p'))
                    : ZfsProperties.Display(c, row[c] ?? "-", options.Has('p'))).ToArray());
            }
        }
        if (rows.Count == 0 && options.Operands.Count == 0 && status == 0)
        {
            context.Err.WriteLine("no datasets available");
            return 0;
        }
        if (rows.Count > 0)
        {
            ZfsFormat.Table(context.Out, columns.Select(ZfsProperties.Header).ToArray(), columns.Select(ZfsProperties.IsSize).ToArray(),
                rows, options.Has('H'));
        }
        return status;
    }

    private static int Get(CommandContext context, IReadOnlyList<string> args)
    {
        const string synopsis = "zfs get [-Hp] <\"all\" | property[,...]> <filesystem|snapshot> ...";
        var options = Getopt.Parse(args, "Hp", allowJson: false, out _);
        if (options is null || options.Operands.Count < 2)
            return Usage(context, synopsis);
        var requested = options.Operands[0].Split(',').Select(ZfsProperties.Canonical).ToArray();
        var wanted = requested.Contains("all") ? ZfsProperties.GetAll : requested;
        var asked = wanted.Where(p => p != ZfsProperties.Available).ToArray();
        var parsable = options.Has('p');
        var rows = new List<IReadOnlyList<string>>();
        Func<string, string>? available = null;
        var status = 0;
        foreach (var name in options.Operands.Skip(1))
        {
            var got = asked.Length > 0 ? context.Syscalls.ZfsGet(context.Proc, name, asked) : context.Syscalls.ZfsGet(context.Proc, name, "name");
            if (!got.Ok)
            {
                if (got.Message?.StartsWith("bad property list", StringComparison.Ordinal) == true)
                {
                    context.Err.WriteLine(got.Message);
                    return Usage(context, synopsis);
                }
                status = Report(context, got);
                if (got.Error == Errno.ENOSYS)
                    return status;
                continue;
            }
            if (wanted.Contains(ZfsProperties.Available) && available is null)
            {
                var calculator = ZfsProperties.AvailableCalculator(context.Syscalls, context.Proc);
                if (!calculator.Ok)
                    return Report(context, calculator);
                available = calculator.Value;
            }
            foreach (var property in wanted)
            {
                if (property == ZfsProperties.Available)
                {
                    rows.Add([name, property, ZfsProperties.Display(property, available!(name), parsable), "-"]);
                    continue;
                }
                var p = got.Value.First(v => v.Property == property);
                rows.Add([p.Name, p.Property, ZfsProperties.Display(property, p.Value, parsable), p.Source]);
            }
        }
        if (rows.Count > 0)
            ZfsFormat.Table(context.Out, ["NAME", "PROPERTY", "VALUE", "SOURCE"], [false, false, false, false], rows, options.Has('H'));
        return status;
    }

    private static int Set(CommandContext context, IReadOnlyList<string> args)
    {
        const string synopsis = "zfs set <property=value> ... <filesystem> ...";
        if (args.Count < 2)
            return Usage(context, synopsis);
        var eq = args[0].IndexOf('=', StringComparison.Ordinal);
        if (eq < 0)
        {
            context.Err.WriteLine("missing value in property=value argument");
            return Usage(context, synopsis);
        }
        if (eq == 0)
        {
            context.Err.WriteLine("missing property in property=value argument");
            return Usage(context, synopsis);
        }
        var property = ZfsProperties.Canonical(args[0][..eq]);
        var value = args[0][(eq + 1)..];
        var status = 0;
        foreach (var name in args.Skip(1))
        {
            var set = context.Syscalls.ZfsSet(context.Proc, name, property, value);
            if (!set.Ok)
            {
                status = Report(context, set);
                if (set.Error == Errno.ENOSYS)
                    return status;
            }
        }
        return status;
    }

    private static int Snapshot(CommandContext context, IReadOnlyList<string> args)
    {
        if (args.Count == 0 || args.Any(a => a.StartsWith('-')))
            return Usage(context, "zfs snapshot <filesystem@snapname> ...");
        var status = 0;
        foreach (var name in args)
        {
            var made = context.Syscalls.ZfsSnapshot(context.Proc, name);
            if (!made.Ok)
                status = Report(context, made);
        }
        return status;
    }

    private static int Rename(CommandContext context, IReadOnlyList<string> args)
    {
        if (args.Count != 2 || args.Any(a => a.StartsWith('-')))
            return Usage(context, "zfs rename <filesystem|snapshot> <filesystem|snapshot>");
        var renamed = context.Syscalls.ZfsRename(context.Proc, args[0], args[1]);
        return renamed.Ok ? 0 : Report(context, renamed);
    }

    private static int Mount(CommandContext context, IReadOnlyList<string> args)
    {
        if (args.Count == 0)
        {
            // As zfs(8): every mounted zfs file system the caller's jail may see (getmntinfo).
            foreach (var m in context.Syscalls.GetFsStat(context.Proc).Where(m => m.FsType == "zfs"))
                context.Out.WriteLine($"{m.Source,-30}  {m.MountPoint}");
            return 0;
        }
        if (args.Count != 1 || args[0].StartsWith('-'))
            return Usage(context, "zfs mount [filesystem]");
        // zfs(8) itself refuses, on the host, a dataset whose jailed property is on (share_mount_one).
        var jailed = context.Syscalls.Sysctl(context.Proc, "security.jail.jailed");
        if (jailed.Ok && Convert.ToInt64(jailed.Value, System.Globalization.CultureInfo.InvariantCulture) == 0
            && context.Syscalls.ZfsGet(context.Proc, args[0], "jailed") is { Ok: true } zoned && zoned.Value[0].Value == "on")
        {
            context.Err.WriteLine($"cannot mount '{CommandLineParser.Printable(args[0])}': dataset is exported to a local zone");
            return 1;
        }
        var mounted = context.Syscalls.ZfsMount(context.Proc, args[0]);
        return mounted.Ok ? 0 : Report(context, mounted);
    }

    private static int Unmount(CommandContext context, IReadOnlyList<string> args)
    {
        if (args.Count != 1 || args[0].StartsWith('-'))
            return Usage(context, "zfs unmount <filesystem|mountpoint>");
        var target = args[0];
        if (target.StartsWith('/'))
        {
            // zfs unmount also takes the mount point: find what is mounted there, as the caller sees it.
            var entry = context.Syscalls.GetFsStat(context.Proc).FirstOrDefault(m => m.MountPoint == target);
            if (entry is null || entry.FsType != "zfs")
            {
                context.Err.WriteLine($"cannot unmount '{CommandLineParser.Printable(target)}': not a ZFS filesystem");
                return 1;
            }
            target = entry.Source;
        }
        var unmounted = context.Syscalls.ZfsUnmount(context.Proc, target);
        return unmounted.Ok ? 0 : Report(context, unmounted);
    }

    private static int JailOrUnjail(CommandContext context, IReadOnlyList<string> args, bool attach)
    {
        var verb = attach ? "jail" : "unjail";
        if (args.Count != 2 || args.Any(a => a.StartsWith('-')))
            return Usage(context, $"zfs {verb} <jailid|jailname> <filesystem>");
        var result = attach
            ? context.Syscalls.ZfsJail(context.Proc, args[0], args[1])
            : context.Syscalls.ZfsUnjail(context.Proc, args[0], args[1]);
        return result.Ok ? 0 : Report(context, result);
    }
}
