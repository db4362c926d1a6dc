using System.Globalization;
using System.Text.Json;
using Prison.Cli.Shell;
using Prison.Core;
using Prison.Core.Syscalls;
using Prison.Core.Zfs;

namespace Prison.Cli.Userland;

/// <summary>
/// mount(8), umount(8) and df(1) over the VFS model: the mount list is getfsstat(2) as the caller's jail
/// sees it (its <c>enforce_statfs</c>), mounting and unmounting go through mount(2) and unmount(2).
/// </summary>
internal static class MountCommands
{
    /// <summary>The mount options the model reports for every mount.</summary>
    private static readonly string[] LocalOnly = ["local"];

    public static int Mount(CommandContext context)
    {
        var options = Getopt.Parse(context.Args, "pt:", allowJson: true, out var error);
        if (options is null)
            return context.BadOption(error!);
        if (options.Operands.Count == 0 && options.Value('t') is null)
            return List(context, options.Has('p'), options.Json);
        if (options.Value('t') is not { } type || options.Operands.Count != 2)
            return context.Usage();
        var (source, node) = (options.Operands[0], options.Operands[1]);
        var mounted = context.Syscalls.Mount(context.Proc, type, source, node);
        // mount(8) reports nmount(2)'s errno against the special file: "mount: tank/x: Operation not permitted".
        return mounted.Ok ? 0 : context.Fail($"{CommandLineParser.Printable(source)}: {Strerror.Of(mounted.Error)}");
    }

    public static int Umount(CommandContext context)
    {
        if (context.GetoptOperands("f", out var usage) is not { } options)
            return usage;
        var status = 0;
        foreach (var name in options.Operands)
        {
            // Like umount(8): the operand is looked up in getfsstat's list, as a mount point or a special file.
            var visible = context.Syscalls.GetFsStat(context.Proc);
            var entry = visible.LastOrDefault(m => m.MountPoint == name) ?? visible.LastOrDefault(m => m.Source == name);
            if (entry is null)
            {
                status = context.Fail($"{CommandLineParser.Printable(name)}: not a file system root directory");
                continue;
            }
            var unmounted = context.Syscalls.Unmount(context.Proc, entry.MountPoint);
            if (!unmounted.Ok)
                status = context.Fail($"unmount of {entry.MountPoint} failed: {Strerror.Of(unmounted.Error)}");
        }
        return status;
    }

    public static int Df(CommandContext context)
    {
        var options = Getopt.Parse(context.Args, "hkT", allowJson: true, out var error, libxo: true);
        if (options is null)
            return context.BadOption(error!);
        var visible = context.Syscalls.GetFsStat(context.Proc);
        var status = 0;
        IReadOnlyList<Statfs> chosen = visible;
        if (options.Operands.Count > 0)
        {
            var picked = new List<Statfs>();
            foreach (var name in options.Operands)
            {
                var entry = visible.LastOrDefault(m => m.MountPoint == name) ?? visible.LastOrDefault(m => m.Source == name);
                if (entry is null)
                    status = context.Fail($"{CommandLineParser.Printable(name)}: No such file or directory");
                else
                    picked.Add(entry);
            }
            chosen = picked;
        }
        var stats = chosen.Select(m => (Mount: m, Space: SpaceOf(context, m))).ToArray();
        if (options.Libxo is { Style: not LibxoStyle.Text } format)
        {
            context.Out.Write(Structured(format, stats, options.Has('h'), options.Has('k') ? 1024 : 512, options.Has('T')));
            return status;
        }
        // FreeBSD's df prints its header even when nothing is mounted; not when every operand failed.
        if (stats.Length > 0 || options.Operands.Count == 0)
            PrintTable(context.Out, stats, options.Has('h'), options.Has('k') ? 1024 : 512, options.Has('T'));
        return status;
    }

    /// <summary>Space of one mount as statfs reports it; null where the model has no figure.</summary>
    private readonly record struct Space(long? Total, long? Used, long? Available);

    /// <summary>
    /// statfs(2) of a zfs mount: used is the dataset's <c>referenced</c>, available what its quotas
    /// leave. The model has no pool size, so without a quota total and available are unknown.
    /// </summary>
    private static Space SpaceOf(CommandContext context, Statfs mount)
    {
        if (mount.FsType != "zfs")
            return new Space(null, null, null);
        var got = context.Syscalls.ZfsGet(context.Proc, mount.Source, "referenced");
        if (!got.Ok)
            return new Space(null, null, null);
        var used = long.Parse(got.Value[0].Value, CultureInfo.InvariantCulture);
        var calculator = ZfsProperties.AvailableCalculator(context.Syscalls, context.Proc);
        long? available = calculator.Ok && long.TryParse(calculator.Value(mount.Source), CultureInfo.InvariantCulture, out var a) ? a : null;
        return new Space(available + used, used, available);
    }

    /// <summary>
    /// df.c's libxo document: storage-system-information / filesystem, with name, type (-T),
    /// total-blocks / used-blocks / available-blocks in the block size (blocks / used / available as
    /// humanized text with -h), used-percent and mounted-on. A size the model does not know is left out.
    /// </summary>
    private static string Structured(LibxoFormat format, (Statfs Mount, Space Space)[] stats, bool human, int blockSize, bool showType)
    {
        var xo = new Libxo(format, version: null).OpenContainer("storage-system-information").OpenList("filesystem");
        foreach (var (mount, space) in stats)
        {
            xo.OpenInstance().Leaf("name", mount.Source);
            if (showType)
                xo.Leaf("type", mount.FsType);
            foreach (var (blocksName, humanName, bytes) in new[] { ("total-blocks", "blocks", space.Total), ("used-blocks", "used", space.Used), ("available-blocks", "available", space.Available) })
            {
                if (bytes is not { } b)
                    continue;
                if (human)
                    xo.Leaf(humanName, HumanizeNumber(b));
                else
                    xo.Leaf(blocksName, b / blockSize);
            }
            if (space is { Used: { } u, Total: { } t })
                xo.Leaf("used-percent", t == 0 ? 100 : (long)Math.Round(100.0 * u / t));
            xo.Leaf("mounted-on", mount.MountPoint).Close();
        }
        return xo.Finish();
    }

    private static void PrintTable(TextWriter output, (Statfs Mount, Space Space)[] stats, bool human, int blockSize, bool showType)
    {
        string Number(long? bytes) => bytes is not { } b ? "-"
            : human ? HumanizeNumber(b) : (b / blockSize).ToString(CultureInfo.InvariantCulture);
        var header = human ? "Size" : blockSize == 1024 ? "1K-blocks" : "512-blocks";
        var rows = stats.Select(s => (s.Mount, Total: Number(s.Space.Total), Used: Number(s.Space.Used), Avail: Number(s.Space.Available),
            Capacity: s.Space is { Used: { } u, Total: { } t } ? (t == 0 ? 100 : (int)Math.Round(100.0 * u / t)).ToString(CultureInfo.InvariantCulture) + "%" : "-")).ToArray();
        var from = Math.Max("Filesystem".Length, rows.Select(r => r.Mount.Source.Length).DefaultIfEmpty(0).Max());
        var type = Math.Max("Type".Length, rows.Select(r => r.Mount.FsType.Length).DefaultIfEmpty(0).Max());
        // df -h gives the three size columns a fixed width of 7 ("   Size"); otherwise they fit their contents.
        var total = human ? 7 : Math.Max(header.Length, rows.Select(r => r.Total.Length).DefaultIfEmpty(0).Max());
        var used = human ? 7 : Math.Max("Used".Length, rows.Select(r => r.Used.Length).DefaultIfEmpty(0).Max());
        var avail = human ? 7 : Math.Max("Avail".Length, rows.Select(r => r.Avail.Length).DefaultIfEmpty(0).Max());
        // df.c: "%-*s" filesystem, " %*s" for each size, " Capacity", "  Mounted on"; rows put the
        // capacity right-aligned under "Capacity" ("   %5.0f%%"), then four blanks and the mount point.
        output.WriteLine($"{"Filesystem".PadRight(from)}{(showType ? "  " + "Type".PadRight(type) : "")} {header.PadLeft(total)} {"Used".PadLeft(used)} {"Avail".PadLeft(avail)} Capacity  Mounted on");
        foreach (var r in rows)
            output.WriteLine($"{r.Mount.Source.PadRight(from)}{(showType ? "  " + r.Mount.FsType.PadRight(type) : "")} {r.Total.PadLeft(total)} {r.Used.PadLeft(used)} {r.Avail.PadLeft(avail)} {r.Capacity.PadLeft(8)}    {r.Mount.MountPoint}");
    }

    /// <summary>humanize_number(3) as df -h calls it (HN_B | HN_NOSPACE | HN_DECIMAL, powers of 1024).</summary>
    private static string HumanizeNumber(long bytes)
    {
        const string units = "BKMGTPE";
        if (bytes < 1024)
            return bytes.ToString(CultureInfo.InvariantCulture) + "B";
        var value = (double)bytes;
        var i = 0;
        while (value >= 1024 && i < units.Length - 1)
        {
            value /= 1024;
            i++;
        }
        // HN_DECIMAL: one decimal below 10, then whole numbers.
        var text = value < 10 ? value.ToString("0.0", CultureInfo.InvariantCulture) : Math.Round(value).ToString(CultureInfo.InvariantCulture);
        return text + units[i];
    }

    private static int List(CommandContext context, bool fstab, bool json)
    {
        var mounts = context.Syscalls.GetFsStat(context.Proc);
        if (json)
        {
            var list = mounts.Select(m => new { special = m.Source, node = m.MountPoint, fstype = m.FsType, opts = LocalOnly });
            context.Out.WriteLine(JsonSerializer.Serialize(new { mount = new { mounted = list } }, JsonOutput.Options));
            return 0;
        }
        foreach (var m in mounts)
        {
            context.Out.WriteLine(fstab
                ? $"{m.Source,-15} {m.MountPoint,-15} {m.FsType,-6} rw              0 0"
                : $"{m.Source} on {m.MountPoint} ({m.FsType}, local)");
        }
        return 0;
    }
}
