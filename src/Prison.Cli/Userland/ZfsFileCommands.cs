using Prison.Cli.Shell;
using Prison.Core.Zfs;

namespace Prison.Cli.Userland;

/// <summary>
/// <c>zfs-write</c> and <c>zfs-rm</c>: the model's stand-ins for writing and removing a file in a dataset
/// (there are no files or vnodes), so that <c>used</c> and <c>quota</c> mean something. Not FreeBSD commands.
/// </summary>
internal static class ZfsFileCommands
{
    public static int Write(CommandContext context)
    {
        if (context.Args.Count != 3)
            return context.Usage();
        if (ParseSize(context.Args[2]) is not { } bytes)
            return context.Fail($"bad size '{CommandLineParser.Printable(context.Args[2])}'", 64);
        var written = context.Syscalls.ZfsWrite(context.Proc, context.Args[0], context.Args[1], bytes);
        if (written.Ok)
            return 0;
        return context.Fail(written.Error == Core.Errno.ENOSYS ? ZfsCommand.NotLoaded : written.ErrorText);
    }

    public static int Remove(CommandContext context)
    {
        if (context.Args.Count != 2)
            return context.Usage();
        var removed = context.Syscalls.ZfsRemoveFile(context.Proc, context.Args[0], context.Args[1]);
        if (removed.Ok)
            return 0;
        return context.Fail(removed.Error == Core.Errno.ENOSYS ? ZfsCommand.NotLoaded : removed.ErrorText);
    }

    /// <summary>A byte count with an optional K, M, G or T suffix (powers of 1024).</summary>
    private static long? ParseSize(string text)
    {
        var shift = text.Length > 0 ? "KMGT".IndexOf(char.ToUpperInvariant(text[^1]), StringComparison.Ordinal) + 1 : 0;
        var digits = shift > 0 ? text[..^1] : text;
        if (!long.TryParse(digits, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) || n > long.MaxValue >> (10 * shift))
            return null;
        return n << (10 * shift);
    }
}
