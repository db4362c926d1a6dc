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
        var viewer = context.Proc.Jail;
        var procs = context.Kernel.Processes.All.Where(p => viewer.IsSelfOrAncestorOf(p.Jail)).ToArray();
        if (options.Libxo is { Style: not LibxoStyle.Text } format)
        {
            // ps.c: xo_set_version("1"), container process-information, list process.
            var xo = new Libxo(format, "1").OpenContainer("process-information").OpenList("process");
            foreach (var p in procs)
                xo.OpenInstance().Leaf("pid", p.Pid).Leaf("jid", p.Jail.Id).Leaf("uid", p.Cred.Uid).Leaf("command", p.Command).Close();
            context.Out.Write(xo.Finish());
            return 0;
        }
        context.Out.WriteLine("  PID JID   UID COMMAND");
        foreach (var p in procs)
            context.Out.WriteLine($"{p.Pid,5} {p.Jail.Id,3} {p.Cred.Uid,5} {p.Command}");
        return 0;
    }

    public static int Hostname(CommandContext context)
    {
        if (context.Args.Count > 0)
            return context.Usage();
        var read = context.Kernel.Sysctl.Read(context.Proc.Cred, "kern.hostname");
        if (!read.Ok)
            return context.Fail(read.ErrorText);
        context.Out.WriteLine(read.Value);
        return 0;
    }

    public static int Kenv(CommandContext context)
    {
        var options = Getopt.Parse(context.Args, "u", allowJson: false, out var error);
        if (options is null)
            return context.BadOption(error!);
        var kenv = context.Kernel.Kenv;
        if (options.Operands.Count == 0 && !options.Has('u'))
        {
            foreach (var (n, v) in kenv.All)
                context.Out.WriteLine($"{n}=\"{v}\"");
            return 0;
        }
        if (options.Operands.Count != 1)
            return context.Usage();
        var operand = options.Operands[0];
        var eq = operand.IndexOf('=', StringComparison.Ordinal);
        if (!options.Has('u') && eq < 0)
        {
            if (kenv.Get(operand) is not { } v)
                return context.Fail($"unable to get {CommandLineParser.Printable(operand)}");
            context.Out.WriteLine(v);
            return 0;
        }
        var key = eq < 0 ? operand : operand[..eq];
        if (key.Length == 0)
            return context.Usage();
        // kenv(2) writes need PRIV_KENV_SET, which no jail holds: core's host-only KldLoad privilege models it.
        if (Priv.Check(context.Proc.Cred, Privilege.KldLoad) != Errno.OK)
            return context.Fail($"unable to {(options.Has('u') ? "unset" : "set")} {CommandLineParser.Printable(key)}: {Errno.EPERM.Describe()}");
        if (options.Has('u'))
        {
            if (eq >= 0)
                return context.Usage();
            return kenv.Unset(key) ? 0 : context.Fail($"unable to unset {CommandLineParser.Printable(key)}");
        }
        var value = operand[(eq + 1)..];
        kenv.Set(key, value);
        context.Out.WriteLine($"{key}=\"{value}\"");
        return 0;
    }

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
