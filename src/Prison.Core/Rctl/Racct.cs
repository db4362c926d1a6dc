using Microsoft.Extensions.Logging;
using Prison.Core.Jails;

namespace Prison.Core.Rctl;

/// <summary>
/// Resource accounting per jail (FreeBSD's racct with rctl's deny rules): a charge counts against the
/// jail and every ancestor, and is refused, changing nothing, when it would take any of them past a
/// rule. The rule administration (rctl(8)'s syscalls) is in <see cref="RctlSyscalls"/>.
/// </summary>
/// <remarks>
/// Locking: the rules are an immutable <see cref="RuleSet"/> published by reference and read lock-free;
/// <c>_rulesLock</c> serialises rule changes. <c>_chargeLock</c> (FreeBSD's racct_lock) makes a charge
/// against a limited resource check-then-add atomic with respect to other such charges. A charge of a
/// resource no rule limits takes no lock and allocates nothing: a volatile read of the rule set and one
/// interlocked add per level of the jail tree. Releases never take a lock (they only lower usage, so
/// they cannot break a rule another charge has checked).
/// </remarks>
internal sealed class Racct
{
    private readonly Lock _rulesLock = new();
    private readonly Lock _chargeLock = new();
    private readonly ILogger _log;
    private volatile RuleSet _rules = RuleSet.Empty;

    internal Racct(Kernel kernel)
    {
        _log = kernel.LoggerFactory.CreateLogger("Prison.Racct");
        Syscalls = new RctlSyscalls(kernel, this);
    }

    /// <summary>rctl(8)'s system calls: add, remove and list rules, read usage.</summary>
    internal RctlSyscalls Syscalls { get; }

    /// <summary>The rules in force, in the order they were added.</summary>
    public IReadOnlyList<RctlRule> Rules => _rules.Rules;

    /// <summary>
    /// racct_add: charges <paramref name="amount"/> of <paramref name="resource"/> to <paramref name="jail"/>
    /// and each ancestor. Returns the resource's errno (<see cref="RacctResources.DenyErrno"/>) and charges
    /// nothing when a rule on any of them would be exceeded.
    /// </summary>
    public Errno Charge(Jail jail, RacctResource resource, long amount)
    {
        ArgumentNullException.ThrowIfNull(jail);
        ArgumentOutOfRangeException.ThrowIfNegative(amount);
        var rules = _rules;
        if (!rules.Limits(resource))
        {
            AddToChain(jail, resource, amount);
            return Errno.OK;
        }
        lock (_chargeLock)
        {
            if (Available(rules, jail, resource) < amount)
                return resource.DenyErrno();
            AddToChain(jail, resource, amount);
        }
        return Errno.OK;
    }

    /// <summary>racct_sub: gives back what <see cref="Charge"/> took, from the same jail.</summary>
    public void Release(Jail jail, RacctResource resource, long amount)
    {
        ArgumentNullException.ThrowIfNull(jail);
        ArgumentOutOfRangeException.ThrowIfNegative(amount);
        for (var j = jail; j is not null; j = j.Parent)
        {
            if (j.Usage.Add(resource, -amount) < 0)
                _log.LogError("racct: {Resource} of jail {Jid} ({Name}) went negative", resource.Name(), j.Id, j.Name);
        }
    }

    /// <summary>
    /// racct_get_available as semop uses it for <c>nsemop</c>: OK when <paramref name="amount"/> fits under
    /// every rule on <paramref name="jail"/> and its ancestors, else the resource's errno. Charges nothing.
    /// </summary>
    public Errno Check(Jail jail, RacctResource resource, long amount)
    {
        ArgumentNullException.ThrowIfNull(jail);
        var rules = _rules;
        if (!rules.Limits(resource))
            return Errno.OK;
        return Available(rules, jail, resource) < amount ? resource.DenyErrno() : Errno.OK;
    }

    /// <summary>How much of <paramref name="resource"/> <paramref name="jail"/> and its descendants use.</summary>
    public long Usage(Jail jail, RacctResource resource)
    {
        ArgumentNullException.ThrowIfNull(jail);
        return jail.Usage.Get(resource);
    }

    /// <summary>Called when a jail is freed: by then everything charged to it must have been released.</summary>
    internal void JailFreed(Jail jail)
    {
        if (!jail.Usage.IsZero)
            _log.LogError("racct: jail {Jid} ({Name}) freed with usage left: {Usage}", jail.Id, jail.Name, jail.Usage.Describe());
    }

    /// <summary>Adds a rule, replacing a deny rule on the same jail and resource (as rctl_rule_add does).</summary>
    internal void AddRule(RctlRule rule)
    {
        lock (_rulesLock)
        {
            var kept = _rules.Rules.Where(r => r.Jail != rule.Jail || r.Resource != rule.Resource);
            _rules = new RuleSet([.. kept, rule]);
        }
    }

    /// <summary>Removes the rules the filter matches; returns how many went.</summary>
    internal int RemoveRules(RctlFilter filter)
    {
        lock (_rulesLock)
        {
            var kept = _rules.Rules.Where(r => !filter.Matches(r)).ToArray();
            var removed = _rules.Rules.Length - kept.Length;
            if (removed > 0)
                _rules = kept.Length == 0 ? RuleSet.Empty : new RuleSet(kept);
            return removed;
        }
    }

    /// <summary>The least headroom any rule on the jail or an ancestor leaves (long.MaxValue when none applies).</summary>
    private static long Available(RuleSet rules, Jail jail, RacctResource resource)
    {
        var available = long.MaxValue;
        for (var j = jail; j is not null; j = j.Parent)
        {
            foreach (var rule in rules.Rules)
            {
                if (rule.Resource == resource && rule.Jail == j.Name)
                    available = Math.Min(available, rule.Amount - j.Usage.Get(resource));
            }
        }
        return available;
    }

    private static void AddToChain(Jail jail, RacctResource resource, long amount)
    {
        for (var j = jail; j is not null; j = j.Parent)
            j.Usage.Add(resource, amount);
    }

    /// <summary>An immutable set of rules with a mask of the resources any of them limits.</summary>
    private sealed class RuleSet
    {
        public static readonly RuleSet Empty = new([]);

        private readonly int _mask;

        public RuleSet(RctlRule[] rules)
        {
            Rules = rules;
            foreach (var r in rules)
                _mask |= 1 << (int)r.Resource;
        }

        public RctlRule[] Rules { get; }

        public bool Limits(RacctResource resource) => (_mask & (1 << (int)resource)) != 0;
    }
}
