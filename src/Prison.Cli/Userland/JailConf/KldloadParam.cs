using Prison.Cli.Shell;
using Prison.Core.Jails;

namespace Prison.Cli.Userland.JailConf;

/// <summary>
/// libjail's <c>kldload_param()</c> (lib/libjail/jail.c): before jail_set, a parameter the kernel does
/// not know loads the module behind it — <c>sysvshm</c>, <c>sysvsem</c> and <c>sysvmsg</c> load the
/// module of that name, <c>allow.mount.TYPE</c> (or <c>allow.mount.noTYPE</c>) the file system's. A
/// caller that may not load modules (jailed root) is refused by kldload, and the parameter stays
/// unknown: <c>unknown parameter: NAME</c>, found by libjail before any jail_set is made.
/// </summary>
internal static class KldloadParam
{
    /// <summary>Loads what the parameters need; returns libjail's message for one still unknown, or null.</summary>
    public static string? LoadFor(CommandContext context, JailParams parameters)
    {
        foreach (var (name, value) in parameters)
        {
            if (context.Syscalls.JailParam(context.Proc, name, value) is not null)
                continue;
            if (name is "sysvshm" or "sysvsem" or "sysvmsg")
            {
                context.Syscalls.KldLoad(context.Proc, name);
            }
            else if (name.StartsWith("allow.mount.", StringComparison.Ordinal))
            {
                var module = name["allow.mount.".Length..];
                var loaded = context.Syscalls.KldLoad(context.Proc, module);
                if (!loaded.Ok && loaded.Error == Prison.Core.Errno.ENOENT && module.StartsWith("no", StringComparison.Ordinal))
                    context.Syscalls.KldLoad(context.Proc, module[2..]);
            }
            if (context.Syscalls.JailParam(context.Proc, name, value) is null)
                return $"unknown parameter: {CommandLineParser.Printable(name)}";
        }
        return null;
    }
}
