using System.Globalization;
using System.Text.Json;
using Prison.Cli.Shell;
using Prison.Core;
using Prison.Core.Jails;

namespace Prison.Cli.Userland;

/// <summary>jls(8): list the jails the caller can see.</summary>
internal static class JlsCommand
{
    public static int Run(CommandContext context)
    {
        var options = Getopt.Parse(context.Args, "dhj:nNqsv", allowJson: true, out var error);
        if (options is null)
            return context.Fail(error!, 64);
        var dying = options.Has('d');
        var namesAndValues = options.Has('n') || options.Has('s');
        var paramTypes = JailQueries.Parameters(context);
        var explicitParams = options.Operands.Count > 0;
        foreach (var requested in options.Operands)
        {
            if (!paramTypes.Any(p => p.Name == requested))
                return context.Fail($"unknown parameter: {CommandLineParser.Printable(requested)}");
        }
        IReadOnlyList<string> wanted = explicitParams ? options.Operands
            : namesAndValues ? ["jid", "name", .. paramTypes.Select(p => p.Name).Where(n => n is not ("jid" or "name"))]
            : ["jid", "name", "host.hostname", "dying"];

        IReadOnlyList<JailParams> jails;
        if (options.Value('j') is { } one)
        {
            var got = JailQueries.Get(context, one, wanted, dying);
            if (!got.Ok)
                return context.Fail(got.ErrorText);
            jails = [got.Value];
        }
        else
        {
            jails = JailQueries.List(context, wanted, dying);
        }

        if (options.Json)
            return WriteJson(context, jails, namesAndValues || explicitParams, paramTypes);
        var types = paramTypes.ToDictionary(p => p.Name, p => p.Type);
        if (namesAndValues)
        {
            foreach (var jail in jails)
                context.Out.WriteLine(string.Join(' ', wanted.Select(n => FormatPair(n, jail[n], types.GetValueOrDefault(n)))));
            return 0;
        }
        if (explicitParams)
        {
            if (options.Has('h'))
                context.Out.WriteLine(string.Join(' ', wanted));
            foreach (var jail in jails)
                context.Out.WriteLine(string.Join(' ', wanted.Select(n => Quote(jail[n] ?? ""))));
            return 0;
        }
        if (options.Has('v'))
        {
            context.Out.WriteLine("   JID  Hostname                      Path");
            context.Out.WriteLine("        Name                          State");
            foreach (var j in jails)
            {
                context.Out.WriteLine($"{j["jid"],6}  {Cut(j["host.hostname"], 29),-29} /");
                context.Out.WriteLine($"        {Cut(j["name"], 29),-29} {(j["dying"] == "true" ? "DYING" : "ACTIVE")}");
            }
            return 0;
        }
        context.Out.WriteLine(options.Has('N')
            ? " JID             IP Address      Hostname                      Path"
            : "   JID  IP Address      Hostname                      Path");
        foreach (var j in jails)
        {
            var id = options.Has('N') ? $" {Cut(j["name"], 15),-15}" : $"{j["jid"],6}";
            context.Out.WriteLine($"{id}  {"",-15} {Cut(j["host.hostname"], 29),-29} /");
        }
        return 0;
    }

    /// <summary>One <c>name=value</c> as jls -n prints it: booleans as <c>name</c> / <c>noname</c>.</summary>
    private static string FormatPair(string name, string? value, string? type)
    {
        if (type == "bool")
        {
            if (value == "true")
                return name;
            var dot = name.LastIndexOf('.');
            return name[..(dot + 1)] + "no" + name[(dot + 1)..];
        }
        return $"{name}={Quote(value ?? "")}";
    }

    private static string Quote(string value)
    {
        var needsQuotes = value.Length == 0 || value.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'' or '\\' or '$' or '#');
        return needsQuotes ? $"\"{value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\"" : value;
    }

    private static int WriteJson(CommandContext context, IReadOnlyList<JailParams> jails, bool all, IReadOnlyList<(string Name, string Type)> types)
    {
        var typeOf = types.ToDictionary(p => p.Name, p => p.Type);
        var list = jails.Select(j =>
        {
            var obj = new Dictionary<string, object?>();
            foreach (var (name, value) in j)
            {
                if (!all && name == "dying")
                    continue;
                obj[name] = typeOf.GetValueOrDefault(name) switch
                {
                    "int" when long.TryParse(value, CultureInfo.InvariantCulture, out var n) => n,
                    "bool" => value == "true",
                    _ => value,
                };
            }
            if (!all)
                obj["path"] = "/";
            return obj;
        }).ToArray();
        context.Out.WriteLine(JsonSerializer.Serialize(new { jail = list }, JsonOutput.Options));
        return 0;
    }

    private static string Cut(string? s, int max) => s is null ? "" : s.Length <= max ? s : s[..max];
}

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
        var attached = context.Kernel.Jails.Syscalls.AttachTo(context.Proc, jid.Value);
        if (!attached.Ok)
            return context.Fail($"jail_attach({jid.Value.ToString(CultureInfo.InvariantCulture)}): {attached.Error.Describe()}");
        if (user is not null)
        {
            var entry = context.Shell.Users.FindUser(context.Proc.Jail, user)
                ?? (uint.TryParse(user, NumberStyles.None, CultureInfo.InvariantCulture, out var uid) ? context.Shell.Users.FindUser(context.Proc.Jail, uid) : null);
            if (entry is null)
                return context.Fail($"getpwnam: {CommandLineParser.Printable(user)}: no such user");
            var procs = context.Kernel.Processes;
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
            var shell = context.Kernel.Processes.Fork(context.Proc, "sh");
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
