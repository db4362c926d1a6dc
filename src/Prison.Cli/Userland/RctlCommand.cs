using System.Globalization;
using Prison.Cli.Shell;
using Prison.Core;

namespace Prison.Cli.Userland;

/// <summary>
/// rctl(8): <c>rctl -a RULE</c> adds, <c>rctl -r FILTER</c> removes, <c>rctl [FILTER]</c> lists rules and
/// <c>rctl -u jail:NAME</c> shows usage, with FreeBSD's output (<c>jail:pg1:nshm:deny=2</c>,
/// <c>nshm=1</c>) and messages (<c>rctl: failed to add rule 'RULE': Invalid argument</c>).
/// </summary>
internal static class RctlCommand
{
    private const string UsageText = "rctl [filter] | rctl -a rule | rctl -r filter | rctl -u filter";

    public static int Run(CommandContext context)
    {
        var options = Getopt.Parse(context.Args, "aru", allowJson: false, out var error);
        if (options is null)
            return context.BadOption(error!);
        var modes = (options.Has('a') ? 1 : 0) + (options.Has('r') ? 1 : 0) + (options.Has('u') ? 1 : 0);
        if (modes > 1)
            return context.Usage(UsageText);
        if (options.Has('r'))
            return options.Operands.Count == 0 ? context.Usage(UsageText) : EachOperand(context, options.Operands, Remove);
        if (options.Has('a'))
            return options.Operands.Count == 0 ? context.Usage(UsageText) : EachOperand(context, options.Operands, Add);
        if (options.Has('u'))
            return options.Operands.Count == 0 ? context.Usage(UsageText) : EachOperand(context, options.Operands, ShowUsage);
        return options.Operands.Count == 0 ? ShowRules(context, "") : EachOperand(context, options.Operands, ShowRules);
    }

    private static int EachOperand(CommandContext context, IEnumerable<string> operands, Func<CommandContext, string, int> action)
    {
        var status = 0;
        foreach (var operand in operands)
            status |= action(context, operand);
        return status;
    }

    private static int Add(CommandContext context, string rule)
    {
        var added = context.Syscalls.RctlAddRule(context.Proc, rule);
        return added.Ok ? 0 : Warn(context, $"failed to add rule '{rule}'", added.Error);
    }

    private static int Remove(CommandContext context, string filter)
    {
        var removed = context.Syscalls.RctlRemoveRule(context.Proc, filter);
        return removed.Ok ? 0 : Warn(context, $"failed to remove rule '{filter}'", removed.Error);
    }

    private static int ShowRules(CommandContext context, string filter)
    {
        var rules = context.Syscalls.RctlGetRules(context.Proc, filter);
        if (!rules.Ok)
            return Warn(context, $"failed to show rules for '{filter}'", rules.Error);
        foreach (var rule in rules.Value)
            context.Out.WriteLine(rule.ToString());
        return 0;
    }

    private static int ShowUsage(CommandContext context, string filter)
    {
        var usage = context.Syscalls.RctlGetRacct(context.Proc, filter);
        if (!usage.Ok)
            return Warn(context, $"failed to show resource consumption for '{filter}'", usage.Error);
        foreach (var (resource, amount) in usage.Value)
            context.Out.WriteLine($"{Prison.Core.Rctl.RacctResources.Name(resource)}={amount.ToString(CultureInfo.InvariantCulture)}");
        return 0;
    }

    /// <summary>warn(3): <c>rctl: what: strerror</c>; the status is 1.</summary>
    private static int Warn(CommandContext context, string what, Errno error)
    {
        context.Err.WriteLine($"rctl: {CommandLineParser.Printable(what)}: {error.Describe()}");
        return 1;
    }
}
