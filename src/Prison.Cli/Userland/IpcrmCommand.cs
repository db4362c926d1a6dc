using System.Globalization;
using Prison.Cli.Shell;
using Prison.Core;
using Prison.Core.Ipc;

namespace Prison.Cli.Userland;

/// <summary>
/// ipcrm(1): removes System V objects by id (<c>-m -s -q</c>) or by key (<c>-M -S -Q</c>, looked up
/// with <c>*get(key, 0, 0)</c> in the caller's jail first), each with <c>IPC_RMID</c>.
/// </summary>
internal static class IpcrmCommand
{
    public static int Run(CommandContext context)
    {
        var options = Getopt.Parse(context.Args, "m:M:s:S:q:Q:", allowJson: false, out var error);
        if (options is null)
            return context.BadOption(error!);
        if (options.Operands.Count > 0 || options.Items.Count == 0)
            return context.Usage();
        var status = 0;
        foreach (var (option, argument) in options.Items)
        {
            if (RemoveOne(context, option, argument!) != 0)
                status = 1;
        }
        return status;
    }

    private static int RemoveOne(CommandContext context, char option, string argument)
    {
        var kind = char.ToLowerInvariant(option);
        var byKey = char.IsUpper(option);
        var prefix = kind switch { 'm' => "shm", 's' => "sem", _ => "msq" };
        var label = $"{prefix}{(byKey ? "key" : "id")}({CommandLineParser.Printable(argument)})";
        if (!long.TryParse(argument, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number)
            || number < int.MinValue || number > uint.MaxValue)
            return context.Fail($"{label}: invalid number");
        // Keys above 2^31 wrap to a negative key_t, as strtol into key_t does.
        var value = unchecked((int)number);
        var sys = context.Syscalls;
        var proc = context.Proc;
        var id = value;
        if (byKey)
        {
            if (value == IpcConstants.IPC_PRIVATE)
                return context.Fail($"can't remove private {Noun(kind)}s");
            var found = kind switch
            {
                'm' => sys.ShmGet(proc, value, 0, 0),
                's' => sys.SemGet(proc, value, 0, 0),
                _ => sys.MsgGet(proc, value, 0),
            };
            if (!found.Ok)
                return Report(context, kind, label, found.Error);
            id = found.Value;
        }
        Errno result;
        switch (kind)
        {
            case 'm':
                var shm = default(ShmidDs);
                result = sys.ShmCtl(proc, id, IpcConstants.IPC_RMID, ref shm).Error;
                break;
            case 's':
                result = sys.SemCtl(proc, id, 0, IpcConstants.IPC_RMID).Error;
                break;
            default:
                var msq = default(MsqidDs);
                result = sys.MsgCtl(proc, id, IpcConstants.IPC_RMID, ref msq).Error;
                break;
        }
        return result == Errno.OK ? 0 : Report(context, kind, label, result);
    }

    private static int Report(CommandContext context, char kind, string label, Errno error) =>
        error == Errno.ENOSYS
            ? context.Fail($"{Noun(kind)}s are not configured in the running kernel")
            : context.Fail($"{label}: {error.Describe()}");

    private static string Noun(char kind) => kind switch
    {
        'm' => "shared memory segment",
        's' => "semaphore",
        _ => "message queue",
    };
}
