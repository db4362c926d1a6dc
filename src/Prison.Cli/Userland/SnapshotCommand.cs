using Prison.Cli.Shell;

namespace Prison.Cli.Userland;

/// <summary><c>snapshot [SECTION]</c>: prints the kernel snapshot (every jail's state), for the host's root only.</summary>
internal static class SnapshotCommand
{
    public static int Run(CommandContext context)
    {
        if (context.Args.Count > 1 || context.Args is [['-', ..]])
            return context.Usage();
        var section = context.Args.Count == 1 ? context.Args[0] : null;
        // The kernel refuses (EPERM) anyone but the host's root: the snapshot shows every jail's objects.
        var taken = context.Syscalls.Snapshot(context.Proc, section);
        if (!taken.Ok)
            return context.Fail(taken.ErrorText);
        var text = taken.Value;
        context.Out.Write(text);
        return 0;
    }
}
