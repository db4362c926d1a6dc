using System.Collections;
using System.Globalization;
using System.Text.Json;
using Prison.Cli.Shell;
using Prison.Core;
using Prison.Core.Syscalls;
using Prison.Core.Sysctl;

namespace Prison.Cli.Userland;

/// <summary>sysctl(8): read nodes, list subtrees, write writable nodes.</summary>
internal static class SysctlCommand
{
    public static int Run(CommandContext context)
    {
        var options = Getopt.Parse(context.Args, "adnNq", allowJson: true, out var error);
        if (options is null)
            return context.BadOption(error!);
        var all = options.Has('a');
        if (!all && options.Operands.Count == 0)
            return context.Usage();
        var json = options.Json ? new List<object>() : null;
        var status = 0;
        IEnumerable<string> targets = all && options.Operands.Count == 0 ? [""] : options.Operands;
        foreach (var target in targets)
        {
            var eq = target.IndexOf('=', StringComparison.Ordinal);
            var step = eq >= 0
                ? Write(context, target[..eq], target[(eq + 1)..], options, json)
                : Read(context, target, options, json);
            if (step != 0)
                status = step;
        }
        if (json is not null)
            context.Out.WriteLine(JsonSerializer.Serialize(json, JsonOutput.Options));
        return status;
    }

    private static int Read(CommandContext context, string name, Options options, List<object>? json)
    {
        var nodes = context.Syscalls.SysctlList(context.Proc, name);
        if (nodes.Count == 0)
            return UnknownOid(context, name, options);
        foreach (var node in nodes)
        {
            var value = context.Syscalls.Sysctl(context.Proc, node.Name);
            if (!value.Ok)
            {
                if (node.Name == name)
                    return value.Error == Errno.ENOENT ? UnknownOid(context, name, options) : context.Fail($"{node.Name}: {value.Error.Describe()}");
                continue;
            }
            if (json is not null)
            {
                json.Add(new { name = node.Name, type = node.Type.ToString().ToLowerInvariant(), description = node.Description, value = value.Value });
                continue;
            }
            var text = options.Has('d') ? node.Description : Format(node, value.Value);
            if (options.Has('N'))
                context.Out.WriteLine(node.Name);
            else if (options.Has('n'))
                context.Out.WriteLine(text);
            else
                context.Out.WriteLine($"{node.Name}: {text}");
        }
        return 0;
    }

    private static int Write(CommandContext context, string name, string value, Options options, List<object>? json)
    {
        var sys = context.Syscalls;
        if (sys.SysctlList(context.Proc, name).FirstOrDefault(n => n.Name == name) is not { } node)
            return UnknownOid(context, name, options);
        if (node.Access == SysctlAccess.ReadOnly)
            return context.Fail($"oid '{CommandLineParser.Printable(name)}' is read only");
        var before = sys.Sysctl(context.Proc, name);
        var written = sys.SysctlWrite(context.Proc, name, value);
        if (written != Errno.OK)
            return context.Fail($"{CommandLineParser.Printable(name)}={CommandLineParser.Printable(value)}: {written.Describe()}");
        var after = sys.Sysctl(context.Proc, name);
        var oldText = before.Ok ? Format(node, before.Value) : "";
        var newText = after.Ok ? Format(node, after.Value) : "";
        if (json is not null)
            json.Add(new { name, type = node.Type.ToString().ToLowerInvariant(), old = oldText, value = after.Ok ? after.Value : null });
        else if (options.Has('n'))
            context.Out.WriteLine(newText);
        else
            context.Out.WriteLine($"{name}: {oldText} -> {newText}");
        return 0;
    }

    private static int UnknownOid(CommandContext context, string name, Options options)
    {
        if (!options.Has('q'))
            context.Err.WriteLine($"sysctl: unknown oid '{CommandLineParser.Printable(name)}'");
        return 1;
    }

    /// <summary>The value as sysctl(8) prints it; an opaque list prints a one-line summary.</summary>
    private static string Format(SysctlOid node, object value)
    {
        if (node.Type != SysctlType.Opaque)
            return Convert.ToString(value, CultureInfo.InvariantCulture) ?? "";
        var count = value is ICollection c ? c.Count : value is IEnumerable e ? e.Cast<object>().Count() : 1;
        var element = value.GetType().IsGenericType ? value.GetType().GetGenericArguments()[^1].Name
            : value.GetType().IsArray ? value.GetType().GetElementType()!.Name : value.GetType().Name;
        return $"Format:S,{element} Length:{count.ToString(CultureInfo.InvariantCulture)} (use --json for the records)";
    }
}
