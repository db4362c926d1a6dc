using Prison.Cli.Shell;
using Prison.Core;

namespace Prison.Cli.Userland;

/// <summary><c>snapshot [SECTION]</c>: prints the kernel snapshot (every jail's state), for the host's root only.</summary>
internal static class SnapshotCommand
{
    public static int Run(CommandContext context)
    {
        if (context.Args.Count > 1 || context.Args is [['-', ..]])
            return context.Usage();
        // The snapshot shows every jail's objects, keys and contents: only the host's root may see it.
        var cred = context.Proc.Cred;
        if (cred.IsJailed || !cred.IsRoot)
            return context.Fail(Errno.EPERM.Describe());
        var section = context.Args.Count == 1 ? context.Args[0] : null;
        var text = context.Kernel.Snapshot(section);
        if (text.Length == 0)
            return context.Fail($"{section}: no such section (kernel, or a loaded module that writes one)");
        context.Out.Write(text);
        return 0;
    }
}
