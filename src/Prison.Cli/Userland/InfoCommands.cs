using System.Globalization;
using Prison.Cli.Shell;
using Prison.Core;
using Prison.Core.Procs;

namespace Prison.Cli.Userland;

/// <summary>Orientation commands: whoami, id, ps, hostname, kenv, echo.</summary>
internal static class InfoCommands
{
    public static int Whoami(CommandContext context)
    {
        if (context.Args.Count > 0)
            return context.Usage();
        var uid = context.Proc.Cred.Uid;
        if (context.Shell.Users.FindUser(context.Proc.Jail, uid) is not { } user)
            return context.Fail($"unknown uid {uid.ToString(CultureInfo.InvariantCulture)}");
        context.Out.WriteLine(user.Name);
        return 0;
    }

    public static int Id(CommandContext context)
    {
        var options = Getopt.Parse(context.Args, "ugn", allowJson: false, out var error);
        if (options is null)
            return context.BadOption(error!);
        if (options.Operands.Count > 0)
            return context.Usage();
        var users = context.Shell.Users;
        var jail = context.Proc.Jail;
        var cred = context.Proc.Cred;
        if (options.Has('u') || options.Has('g'))
        {
            var isUser = options.Has('u');
            var number = isUser ? cred.Uid : cred.Gid;
            context.Out.WriteLine(options.Has('n')
                ? isUser ? users.UserName(jail, number) : users.GroupName(jail, number)
                : number.ToString(CultureInfo.InvariantCulture));
            return 0;
        }
        string Named(uint n, string? name) => name is null ? n.ToString(CultureInfo.InvariantCulture) : $"{n}({name})";
        var groups = new[] { cred.Gid }.Concat(cred.Groups).Distinct()
            .Select(g => Named(g, users.FindGroup(jail, g)?.Name));
        context.Out.WriteLine($"uid={Named(cred.Uid, users.FindUser(jail, cred.Uid)?.Name)} gid={Named(cred.Gid, users.FindGroup(jail, cred.Gid)?.Name)} groups={string.Join(',', groups)}");
        return 0;
    }

    /// <summary>ps(1) with the columns pid, jid, uid, command; <c>--libxo</c> gives ps's process-information document.</summary>
    public static int Ps(CommandContext context)
    {
        var options = Getopt.Parse(context.Args, "", allowJson: true, out var error, libxo: true);
        if (options is null)
            return context.BadOption(error!);
        if (options.Operands.Count > 0)
            return context.Usage();
        // kern.proc.all: the kernel answers with the processes the caller may see.
        var procs = context.Syscalls.ProcList(context.Proc);
        if (options.Libxo is { Style: not LibxoStyle.Text } format)
        {
            // ps.c: xo_set_version("1"), container process-information, list process.
            var xo = new Libxo(format, "1").OpenContainer("process-information").OpenList("process");
            foreach (var p in procs)
                xo.OpenInstance().Leaf("pid", p.Pid).Leaf("jid", p.Jid).Leaf("uid", p.Uid).Leaf("command", p.Command).Close();
            context.Out.Write(xo.Finish());
            return 0;
        }
        context.Out.WriteLine("  PID JID   UID COMMAND");
        foreach (var p in procs)
            context.Out.WriteLine($"{p.Pid,5} {p.Jid,3} {p.Uid,5} {p.Command}");
        return 0;
    }

    public static int Hostname(CommandContext context)
    {
        if (context.Args.Count > 0)
            return context.Usage();
        var read = context.Syscalls.Sysctl(context.Proc, "kern.hostname");
        if (!read.Ok)
            return context.Fail(read.ErrorText);
        context.Out.WriteLine(read.Value);
        return 0;
    }

    /// <summary>kenv(1): dump, get, set (<c>NAME=VALUE</c>) or unset (<c>-u NAME</c>) through kenv(2); the kernel checks the privilege.</summary>
    public static int Kenv(CommandContext context)
    {
        var options = Getopt.Parse(context.Args, "u", allowJson: false, out var error);
        if (options is null)
            return context.BadOption(error!);
        var sys = context.Syscalls;
        if (options.Operands.Count == 0 && !options.Has('u'))
        {
            foreach (var (n, v) in sys.KenvDump(context.Proc))
                context.Out.WriteLine($"{n}=\"{v}\"");
            return 0;
        }
        if (options.Operands.Count != 1)
            return context.Usage();
        var operand = options.Operands[0];
        var eq = operand.IndexOf('=', StringComparison.Ordinal);
        if (!options.Has('u') && eq < 0)
        {
            var got = sys.KenvGet(context.Proc, operand);
            if (!got.Ok)
                return context.Fail($"unable to get {CommandLineParser.Printable(operand)}");
            context.Out.WriteLine(got.Value);
            return 0;
        }
        var key = eq < 0 ? operand : operand[..eq];
        if (key.Length == 0)
            return context.Usage();
        if (options.Has('u'))
        {
            if (eq >= 0)
                return context.Usage();
            var unset = sys.KenvUnset(context.Proc, key);
            return unset == Errno.OK ? 0 : context.Fail($"unable to unset {CommandLineParser.Printable(key)}{Reason(unset)}");
        }
        var value = operand[(eq + 1)..];
        var set = sys.KenvSet(context.Proc, key, value);
        if (set != Errno.OK)
            return context.Fail($"unable to set {CommandLineParser.Printable(key)}: {set.Describe()}");
        context.Out.WriteLine($"{key}=\"{value}\"");
        return 0;
    }

    // kenv(1) says why an unset failed, except for a name that is not set (the message it always printed).
    private static string Reason(Errno error) => error == Errno.ENOENT ? "" : ": " + error.Describe();

    public static int Echo(CommandContext context)
    {
        var args = context.Args;
        var newline = true;
        if (args.Count > 0 && args[0] == "-n")
        {
            newline = false;
            args = args.Skip(1).ToArray();
        }
        context.Out.Write(string.Join(' ', args));
        if (newline)
            context.Out.WriteLine();
        return 0;
    }
}
