using System.Globalization;

namespace Prison.Core.Rctl;

/// <summary>
/// One rctl rule, <c>jail:NAME:RESOURCE:deny=AMOUNT</c>: the jail subject (by its full name, as FreeBSD's
/// prison_racct is keyed by name) and the deny action, the only subject and action Prison supports.
/// </summary>
/// <param name="Jail">The jail's full name (<c>pg.child</c>; <c>0</c> is prison0).</param>
/// <param name="Resource">The resource limited.</param>
/// <param name="Amount">The most the jail (with its descendants) may use.</param>
public sealed record RctlRule(string Jail, RacctResource Resource, long Amount)
{
    /// <summary>The rule as rctl(8) prints it.</summary>
    public override string ToString() =>
        $"jail:{Jail}:{Resource.Name()}:deny={Amount.ToString(CultureInfo.InvariantCulture)}";
}

/// <summary>
/// A filter as rctl(8) takes it: a rule with fields left out or empty (<c>jail:pg1</c>,
/// <c>jail::nshm</c>, <c>jail:pg1:nshm:deny</c>); an empty filter matches every rule.
/// </summary>
/// <param name="Jail">The jail name, or null for any.</param>
/// <param name="Resource">The resource, or null for any.</param>
/// <param name="Amount">The amount, or null for any.</param>
internal sealed record RctlFilter(string? Jail, RacctResource? Resource, long? Amount)
{
    /// <summary>The filter that matches everything.</summary>
    public static RctlFilter All { get; } = new(null, null, null);

    /// <summary>True when <paramref name="rule"/> passes the filter.</summary>
    public bool Matches(RctlRule rule) =>
        (Jail is null || Jail == rule.Jail) && (Resource is null || Resource == rule.Resource) && (Amount is null || Amount == rule.Amount);
}

/// <summary>Parses rules and filters in FreeBSD's syntax (rctl(8), kern_rctl.c's rctl_string_to_rule).</summary>
internal static class RctlSyntax
{
    /// <summary>Parses a complete rule; EINVAL for anything that is not <c>jail:NAME:RESOURCE:deny=AMOUNT</c>.</summary>
    public static SysResult<RctlRule> ParseRule(string text)
    {
        var filter = ParseFilter(text);
        if (!filter.Ok)
            return SysResult<RctlRule>.Fail(filter.Error, filter.Message);
        var f = filter.Value;
        if (f.Jail is null || f.Resource is null || f.Amount is null)
            return SysResult<RctlRule>.Fail(Errno.EINVAL, $"incomplete rule \"{text}\": expected jail:NAME:RESOURCE:deny=AMOUNT");
        return SysResult<RctlRule>.Success(new RctlRule(f.Jail, f.Resource.Value, f.Amount.Value));
    }

    /// <summary>Parses a filter: up to four colon-separated fields, empty or missing ones match anything.</summary>
    public static SysResult<RctlFilter> ParseFilter(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 0)
            return SysResult<RctlFilter>.Success(RctlFilter.All);
        var parts = text.Split(':');
        if (parts.Length > 4)
            return Invalid(text, "too many fields");
        // rctl(8) accepts the first letter of a subject type ("j" for jail).
        if (parts[0] is not ("" or "jail" or "j"))
            return Invalid(text, $"unsupported subject \"{parts[0]}\" (only jail is supported)");
        var jail = parts.Length > 1 && parts[1].Length > 0 ? parts[1] : null;
        RacctResource? resource = null;
        if (parts.Length > 2 && parts[2].Length > 0)
        {
            resource = RacctResources.Parse(parts[2]);
            if (resource is null)
                return Invalid(text, $"unknown resource \"{parts[2]}\"");
        }
        long? amount = null;
        if (parts.Length > 3 && parts[3].Length > 0)
        {
            var action = parts[3];
            var eq = action.IndexOf('=', StringComparison.Ordinal);
            var name = eq < 0 ? action : action[..eq];
            if (name != "deny")
                return Invalid(text, $"unsupported action \"{name}\" (only deny is supported)");
            if (eq >= 0)
            {
                if (ParseAmount(action[(eq + 1)..]) is not { } parsed)
                    return Invalid(text, $"bad amount \"{action[(eq + 1)..]}\"");
                amount = parsed;
            }
        }
        return SysResult<RctlFilter>.Success(new RctlFilter(jail, resource, amount));
    }

    /// <summary>
    /// An amount as expand_number(3) reads it: digits with an optional k, m, g, t, p or e suffix (powers
    /// of 1024); null when malformed, negative or too large.
    /// </summary>
    public static long? ParseAmount(string text)
    {
        if (text.Length == 0)
            return null;
        var shift = char.ToLowerInvariant(text[^1]) switch
        {
            'k' => 10,
            'm' => 20,
            'g' => 30,
            't' => 40,
            'p' => 50,
            'e' => 60,
            _ => 0,
        };
        var digits = shift == 0 ? text : text[..^1];
        if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            return null;
        if (shift > 0 && value > long.MaxValue >> shift)
            return null;
        return value << shift;
    }

    private static SysResult<RctlFilter> Invalid(string text, string why) =>
        SysResult<RctlFilter>.Fail(Errno.EINVAL, $"invalid rule \"{text}\": {why}");
}
