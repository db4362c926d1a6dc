using Prison.Cli.Shell;
using Prison.Core.Zfs;

namespace Prison.Cli.Userland;

/// <summary>
/// zpool(8), what the model has of it: <c>zpool create POOL</c> (no devices: a pool is only its root
/// dataset) and <c>zpool list</c> (name, space allocated, health, altroot; the model has no pool size).
/// </summary>
internal static class ZpoolCommand
{
    public static int Run(CommandContext context)
    {
        var args = context.Args;
        if (args.Count == 0)
            return ZfsCommand.Usage(context, "zpool command args ...\nwhere 'command' is one of: create list");
        switch (args[0])
        {
            case "create":
                if (args.Count != 2 || args[1].StartsWith('-'))
                    return ZfsCommand.Usage(context, "zpool create <pool>   (the model's pools have no devices)");
                var created = context.Syscalls.ZpoolCreate(context.Proc, args[1]);
                return created.Ok ? 0 : ZfsCommand.Report(context, created);
            case "list":
                return List(context, args.Skip(1).ToArray());
            default:
                context.Err.WriteLine($"unrecognized command '{CommandLineParser.Printable(args[0])}'");
                return ZfsCommand.Usage(context, "zpool command args ...");
        }
    }

    private static int List(CommandContext context, IReadOnlyList<string> args)
    {
        var options = Getopt.Parse(args, "Hp", allowJson: false, out _);
        if (options is null)
            return ZfsCommand.Usage(context, "zpool list [-Hp] [pool] ...");
        var pools = context.Syscalls.ZpoolList(context.Proc);
        if (!pools.Ok)
            return ZfsCommand.Report(context, pools);
        var status = 0;
        var shown = new List<string>();
        foreach (var wanted in options.Operands)
        {
            if (pools.Value.Contains(wanted))
            {
                shown.Add(wanted);
                continue;
            }
            context.Err.WriteLine($"cannot open '{CommandLineParser.Printable(wanted)}': no such pool");
            status = 1;
        }
        if (options.Operands.Count == 0)
            shown.AddRange(pools.Value);
        if (shown.Count == 0)
        {
            if (options.Operands.Count == 0)
                context.Out.WriteLine("no pools available");
            return status;
        }
        var rows = new List<IReadOnlyList<string>>();
        foreach (var pool in shown)
        {
            var root = context.Syscalls.ZfsGet(context.Proc, pool, "used");
            var alloc = root.Ok ? ZfsProperties.Display("used", root.Value[0].Value, options.Has('p')) : "-";
            rows.Add([pool, alloc, "ONLINE", "-"]);
        }
        ZfsFormat.Table(context.Out, ["NAME", "ALLOC", "HEALTH", "ALTROOT"], [false, true, false, false], rows, options.Has('H'));
        return status;
    }
}
