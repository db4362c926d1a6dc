using System.Globalization;
using System.Text.Json;
using Prison.Cli.Shell;
using Prison.Core;
using Prison.Core.Jails;

namespace Prison.Cli.Userland;

/// <summary>jexec(8): run a command in a jail, optionally as a user of the jail.</summary>
internal static class JexecCommand
{
    private const string UsageText = "jexec [-u username | -U username] jail [command ...]";

    public static int Run(CommandContext context)
    {
        var words = context.Words;
        string? user = null;
        var i = 1;
        var jailIndex = 0;
        // Options before the jail, as jexec(8); also accepted right after it ("jexec pg1 -u postgres ...").
        for (var pass = 0; pass < 2; pass++)
        {
            while (i < words.Count && words[i].Text.StartsWith('-') && words[i].Text.Length > 1)
            {
                var opt = words[i].Text;
                if (opt is "-u" or "-U")
                {
                    if (i + 1 >= words.Count)
                        return context.Fail($"option requires an argument -- {opt[1]}", 64);
                    user = words[i + 1].Text;
                    i += 2;
                }
                else if (opt.Length > 2 && opt[1] is 'u' or 'U')
                {
                    user = opt[2..];
                    i++;
                }
                else
                {
                    return context.Fail($"illegal option -- {CommandLineParser.Printable(opt[1..2])}", 64);
                }
            }
            if (pass == 0)
            {
                if (i >= words.Count)
                    return context.Usage(UsageText);
                jailIndex = i++;
            }
        }
        var jailName = words[jailIndex].Text;

        var jid = JailQueries.ResolveJid(context, jailName);
        if (!jid.Ok)
            return context.Fail(jid.ErrorText);
        var attached = context.Syscalls.JailAttach(context.Proc, jid.Value);
        if (!attached.Ok)
            return context.Fail($"jail_attach({jid.Value.ToString(CultureInfo.InvariantCulture)}): {attached.Error.Describe()}");
        if (user is not null)
        {
            var entry = context.Shell.Users.FindUser(context.Proc.Jail, user)
                ?? (uint.TryParse(user, NumberStyles.None, CultureInfo.InvariantCulture, out var uid) ? context.Shell.Users.FindUser(context.Proc.Jail, uid) : null);
            if (entry is null)
                return context.Fail($"getpwnam: {CommandLineParser.Printable(user)}: no such user");
            var procs = context.Syscalls;
            var failed = procs.SetGroups(context.Proc, [entry.Gid]);
            if (failed == Errno.OK)
                failed = procs.SetGid(context.Proc, entry.Gid);
            if (failed == Errno.OK)
                failed = procs.SetUid(context.Proc, entry.Uid);
            if (failed != Errno.OK)
                return context.Fail($"setusercontext: {failed.Describe()}");
        }

        var command = words.Skip(i).ToArray();
        if (command.Length == 0 || (command.Length == 1 && command[0].Text is "sh" or "/bin/sh" or "csh" or "/bin/csh"))
        {
            // An interactive shell in the jail: the shell's current process until its exit.
            var shell = context.Syscalls.Fork(context.Proc, "sh");
            if (!shell.Ok)
                return context.Fail($"fork: {shell.ErrorText}", 71);
            context.Shell.PushFrame(shell.Value);
            return 0;
        }
        if (command.Length == 3 && command[0].Text is "sh" or "/bin/sh" && command[1].Text == "-c")
        {
            var inner = CommandLineParser.Split(command[2].Text, out var syntax);
            if (inner is null)
                return context.Fail(syntax!, 2);
            return inner.Count == 0 ? 0 : context.Shell.RunCommand(inner, command[2].Text, context.Proc);
        }
        return context.Shell.RunCommand(command, context.Line, context.Proc);
    }
}
