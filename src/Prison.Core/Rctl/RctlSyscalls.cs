using Prison.Core.Jails;
using Prison.Core.Procs;

namespace Prison.Core.Rctl;

/// <summary>
/// rctl(8)'s system calls (FreeBSD's rctl_add_rule, rctl_remove_rule, rctl_get_rules, rctl_get_racct).
/// Each needs root of prison0 (FreeBSD's PRIV_RCTL_*, which prison_priv_check never grants a jail), then
/// parses its argument (EINVAL), then acts.
/// </summary>
internal sealed class RctlSyscalls
{
    private readonly Kernel _kernel;
    private readonly Racct _racct;

    internal RctlSyscalls(Kernel kernel, Racct racct)
    {
        _kernel = kernel;
        _racct = racct;
    }

    /// <summary>
    /// rctl_add_rule: EPERM, EINVAL (syntax, unknown resource, unsupported subject or action). The jail
    /// need not exist: rctl.conf is applied at boot before jails start, and FreeBSD's
    /// <c>prison_racct_find</c> creates the per-name container, so the rule applies to a jail created
    /// later with that name. A deny rule replaces one on the same jail and resource.
    /// </summary>
    public SysResult<RctlRule> AddRule(Ucred cred, string rule)
    {
        ArgumentNullException.ThrowIfNull(cred);
        if (Priv.Check(cred, Privilege.RctlAdmin) != Errno.OK)
            return SysResult<RctlRule>.Fail(Errno.EPERM);
        var parsed = RctlSyntax.ParseRule(rule);
        if (!parsed.Ok)
            return parsed;
        _racct.AddRule(parsed.Value);
        return parsed;
    }

    /// <summary>rctl_remove_rule: removes every rule the filter matches; ESRCH when none does.</summary>
    public SysResult<int> RemoveRules(Ucred cred, string filter)
    {
        ArgumentNullException.ThrowIfNull(cred);
        if (Priv.Check(cred, Privilege.RctlAdmin) != Errno.OK)
            return SysResult<int>.Fail(Errno.EPERM);
        var parsed = RctlSyntax.ParseFilter(filter);
        if (!parsed.Ok)
            return SysResult<int>.Fail(parsed.Error, parsed.Message);
        var removed = _racct.RemoveRules(parsed.Value);
        return removed == 0 ? SysResult<int>.Fail(Errno.ESRCH, "no matching rule") : SysResult<int>.Success(removed);
    }

    /// <summary>rctl_get_rules: the rules the filter matches, in the order they were added.</summary>
    public SysResult<IReadOnlyList<RctlRule>> GetRules(Ucred cred, string filter)
    {
        ArgumentNullException.ThrowIfNull(cred);
        if (Priv.Check(cred, Privilege.RctlAdmin) != Errno.OK)
            return SysResult<IReadOnlyList<RctlRule>>.Fail(Errno.EPERM);
        var parsed = RctlSyntax.ParseFilter(filter);
        if (!parsed.Ok)
            return SysResult<IReadOnlyList<RctlRule>>.Fail(parsed.Error, parsed.Message);
        return SysResult<IReadOnlyList<RctlRule>>.Success(_racct.Rules.Where(parsed.Value.Matches).ToArray());
    }

    /// <summary>
    /// rctl_get_racct: every resource's usage for the jail <paramref name="subject"/> names
    /// (<c>jail:NAME</c>); EINVAL without a jail name or with a resource or action, ESRCH for no such jail.
    /// </summary>
    public SysResult<IReadOnlyList<(RacctResource Resource, long Usage)>> GetUsage(Ucred cred, string subject)
    {
        ArgumentNullException.ThrowIfNull(cred);
        if (Priv.Check(cred, Privilege.RctlAdmin) != Errno.OK)
            return SysResult<IReadOnlyList<(RacctResource, long)>>.Fail(Errno.EPERM);
        var parsed = RctlSyntax.ParseFilter(subject);
        if (!parsed.Ok)
            return SysResult<IReadOnlyList<(RacctResource, long)>>.Fail(parsed.Error, parsed.Message);
        if (parsed.Value is not { Jail: { } name, Resource: null, Amount: null })
            return SysResult<IReadOnlyList<(RacctResource, long)>>.Fail(Errno.EINVAL, "usage needs a subject: jail:NAME");
        if (FindJail(name, includeDying: true) is not { } jail)
            return SysResult<IReadOnlyList<(RacctResource, long)>>.Fail(Errno.ESRCH, $"jail \"{name}\" not found");
        return SysResult<IReadOnlyList<(RacctResource, long)>>.Success(
            RacctResources.All.Select(r => (r, _racct.Usage(jail, r))).ToArray());
    }

    /// <summary>The jail whose full name is <paramref name="name"/> (<c>0</c> is prison0); an alive one wins over dying ones.</summary>
    private Jail? FindJail(string name, bool includeDying)
    {
        if (name == _kernel.Prison0.Name)
            return _kernel.Prison0;
        return _kernel.Jails.FindVisible(_kernel.Prison0, name, includeDying) is { } j && j.Name == name ? j : null;
    }
}
