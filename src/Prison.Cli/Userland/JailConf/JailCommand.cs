using System.Globalization;
using Prison.Cli.Shell;
using Prison.Core;
using Prison.Core.Jails;

namespace Prison.Cli.Userland.JailConf;

/// <summary>
/// jail(8): create (<c>-c</c>), modify (<c>-m</c>), remove (<c>-r</c>), create-or-modify (<c>-cm</c>) and
/// restart (<c>-rc</c>) jails given by parameters on the command line or by name from jail.conf(5)
/// (<c>-f FILE</c>, default <c>/etc/jail.conf</c>), running the <c>exec.*</c> hooks around each step.
/// As usr.sbin/jail/command.c: <c>NAME: created</c> is printed only for a jail from the config file or
/// with <c>-v</c>, <c>NAME: removed</c> for a removal by name, and <c>-q</c> silences both.
/// </summary>
internal static class JailCommand
{
    private const string UsageText = "jail [-dqv] [-f conf_file] -c | -m | -r | -cm | -rc param=value ... | jail ...";
    private const string DefaultConfig = "/etc/jail.conf";
    /// <summary>FreeBSD 15 jail(8)'s warning for <c>-d</c> and <c>allow.dying</c>.</summary>
    public const string DeprecationWarning = "the 'allow.dying' parameter and '-d' flag are deprecated and have no effect";

    public static int Run(CommandContext context)
    {
        var options = Getopt.Parse(context.Args, "cdf:mqrv", allowJson: false, out var error);
        if (options is null)
            return context.Fail(error!, 64);
        var create = options.Has('c');
        var modify = options.Has('m');
        var remove = options.Has('r');
        if ((remove && modify) || (!create && !modify && !remove))
            return context.Usage(UsageText);
        var operands = options.Operands.ToList();
        var deprecated = options.Has('d');
        if (operands.RemoveAll(o => o == "allow.dying" || o.StartsWith("allow.dying=", StringComparison.Ordinal) || o == "allow.nodying") > 0)
            deprecated = true;
        if (deprecated)
            context.Err.WriteLine($"jail: {DeprecationWarning}");
        var run = new JailRun(context, options.Has('v') ? 1 : options.Has('q') ? -1 : 0) { WarnedDying = deprecated };

        if (operands.Any(o => o.Contains('=', StringComparison.Ordinal)))
        {
            var definition = CommandLineDefinition(context, operands);
            if (definition is null)
                return 1;
            if (remove)
                return create ? run.Restart(definition) : run.Remove(definition, operandCount: 1);
            return run.Set(definition, (create ? JailFlags.Create : 0) | (modify ? JailFlags.Update : 0));
        }

        var explicitFile = options.Value('f');
        var path = explicitFile ?? DefaultConfig;
        if (explicitFile is not null && !Path.IsPathRooted(path) && context.Shell.ScriptDirectory is { } dir)
            path = Path.Combine(dir, path);
        JailConfFile? config = null;
        if (explicitFile is not null || File.Exists(path))
        {
            config = JailConfFile.Load(path, out var loadError);
            if (config is null)
                return context.Fail(loadError!);
        }
        if (remove && !create && operands.Count == 1 && operands[0] == "*" && config is null)
        {
            // jail -r '*' without a config file: every running jail the caller can see (children go
            // with their parents, so only the top ones are named).
            var top = JailQueries.List(context, ["jid", "name", "parent"], dying: false).Where(j => j["parent"] == "0").Reverse().ToArray();
            var result = 0;
            foreach (var j in top)
            {
                if (run.RemoveRunning(j["name"]!, SysResult<JailParams>.Success(j)) != 0)
                    result = 1;
            }
            return result;
        }
        if (operands.Count == 0 || (operands.Count == 1 && operands[0] == "*"))
        {
            if (config is null || (remove && !create && operands.Count == 0))
                return context.Usage(UsageText);
            operands = [.. remove && !create ? config.JailNames.Reverse() : config.JailNames];
        }
        var status = 0;
        foreach (var target in operands)
        {
            var step = RunNamed(run, config, target, create, modify, remove, operands.Count);
            if (step != 0)
                status = step;
        }
        return status;
    }

    /// <summary>One jail named on the command line: from the config file, or (for -r) a running jail.</summary>
    private static int RunNamed(JailRun run, JailConfFile? config, string target, bool create, bool modify, bool remove, int count)
    {
        var context = run.Context;
        var inConfig = config?.JailNames.Contains(target) == true;
        if (!inConfig && remove)
        {
            // A running jail named by jid or by a name the file does not define: jail(8) finds its
            // definition by the running jail's name, or removes it without hooks.
            var found = JailQueries.Get(context, target, ["jid", "name"], dying: false);
            if (found.Ok && config?.JailNames.Contains(found.Value["name"]!) == true)
            {
                target = found.Value["name"]!;
                inConfig = true;
            }
            else if (!create)
            {
                return run.RemoveRunning(target, found);
            }
        }
        if (!inConfig)
            return context.Fail($"\"{CommandLineParser.Printable(target)}\" not found");
        var definition = JailDefinition.Build(config!, target, out var error);
        if (definition is null)
            return context.Fail($"{CommandLineParser.Printable(target)}: {error}");
        var named = new JailSpec(definition, fromConfig: true);
        if (remove)
            return create ? run.Restart(named) : run.Remove(named, count);
        return run.Set(named, (create ? JailFlags.Create : 0) | (modify ? JailFlags.Update : 0));
    }

    /// <summary>The parameters given on the command line: <c>name=value</c> or a bare <c>name</c>; the last one wins.</summary>
    private static JailSpec? CommandLineDefinition(CommandContext context, IReadOnlyList<string> operands)
    {
        var parameters = new List<(string Name, List<string>? Values)>();
        for (var i = 0; i < operands.Count; i++)
        {
            var operand = operands[i];
            if (operand.StartsWith("command=", StringComparison.Ordinal))
            {
                // As jail(8): command= takes the rest of the arguments as the command and its arguments.
                parameters.Add(("command", [string.Join(' ', operands.Skip(i).Select((o, n) => n == 0 ? o["command=".Length..] : o))]));
                break;
            }
            var eq = operand.IndexOf('=', StringComparison.Ordinal);
            var name = eq < 0 ? operand : operand[..eq];
            if (name.Length == 0)
            {
                context.Fail($"invalid parameter: \"{CommandLineParser.Printable(operand)}\"");
                return null;
            }
            parameters.RemoveAll(p => p.Name == name);
            parameters.Add((name, eq < 0 ? null : [operand[(eq + 1)..]]));
        }
        return new JailSpec(parameters, fromConfig: false);
    }
}
