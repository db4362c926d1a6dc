using Prison.Core.Procs;
using Prison.Core.Rctl;

namespace Prison.Core.Syscalls;

public sealed partial class SyscallInterface
{
    /// <summary>
    /// rctl_add_rule(2) (sys/kern/kern_rctl.c): EPERM unless root of prison0 (PRIV_RCTL_ADD_RULE, which no
    /// jail holds); EINVAL for bad syntax, an unknown resource, or an unsupported subject or action. The
    /// jail need not exist yet: the rule applies to a jail created later with that name.
    /// </summary>
    /// <returns>The rule as stored.</returns>
    public SysResult<RctlRule> RctlAddRule(Proc td, string rule)
    {
        ArgumentNullException.ThrowIfNull(td);
        return _kernel.Racct.Syscalls.AddRule(td.Cred, rule);
    }

    /// <summary>rctl_remove_rule(2): removes the rules matching <paramref name="filter"/>; EPERM, EINVAL (bad filter).</summary>
    /// <returns>How many rules were removed (ESRCH when none matched, as FreeBSD's rctl_remove_rule).</returns>
    public SysResult<int> RctlRemoveRule(Proc td, string filter)
    {
        ArgumentNullException.ThrowIfNull(td);
        return _kernel.Racct.Syscalls.RemoveRules(td.Cred, filter);
    }

    /// <summary>rctl_get_rules(2): copies of the rules matching <paramref name="filter"/>; EPERM, EINVAL.</summary>
    public SysResult<IReadOnlyList<RctlRule>> RctlGetRules(Proc td, string filter)
    {
        ArgumentNullException.ThrowIfNull(td);
        return _kernel.Racct.Syscalls.GetRules(td.Cred, filter);
    }

    /// <summary>rctl_get_racct(2): the resource usage of a subject (<c>jail:NAME</c>); EPERM, EINVAL, ESRCH (no such jail).</summary>
    public SysResult<IReadOnlyList<(RacctResource Resource, long Usage)>> RctlGetRacct(Proc td, string subject)
    {
        ArgumentNullException.ThrowIfNull(td);
        return _kernel.Racct.Syscalls.GetUsage(td.Cred, subject);
    }
}
