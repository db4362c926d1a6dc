using System.Globalization;

namespace Prison.Core.Jails;

/// <summary>
/// The hierarchy rules of FreeBSD's <c>kern_jail_set()</c> (sys/kern/kern_jail.c, FreeBSD 13-15), one
/// method per rule, in the order that function applies them. docs/cli.md lists them with their errno.
/// Where FreeBSD sets no <c>errmsg</c> the failure carries no message, so jail(8) prints
/// <c>jail_set: Operation not permitted</c> exactly as libjail does.
/// </summary>
internal static class JailSetRules
{
    /// <summary>
    /// <c>if ((flags &amp; JAIL_CREATE) &amp;&amp; mypr-&gt;pr_childmax == 0) return (EPERM);</c> — before the
    /// options are even parsed, so there is no message. A jail that may not have children at all is told
    /// so before any limit is counted.
    /// </summary>
    public static SysResult<int> CallerMayCreate(Jail myJail, JailFlags flags) =>
        (flags & JailFlags.Create) != 0 && myJail.ChildrenMax == 0 ? SysResult<int>.Fail(Errno.EPERM) : Ok;

    /// <summary>
    /// <c>new jail must persist or attach</c> (EINVAL): a create without <c>JAIL_ATTACH</c> must set
    /// <c>persist</c>, even when CREATE|UPDATE ends up updating.
    /// </summary>
    public static SysResult<int> NewJailMustPersistOrAttach(JailParams p, JailFlags flags) =>
        (flags & (JailFlags.Create | JailFlags.Attach)) == JailFlags.Create && p["persist"] != "true"
            ? SysResult<int>.Fail(Errno.EINVAL, "new jail must persist or attach")
            : Ok;

    /// <summary>
    /// A pure create (<c>cuflags == JAIL_CREATE</c>) without a jid takes the jid from a numeric last
    /// name component: <c>name=5309</c> creates jail 5309. Returns 0 when the name is not numeric.
    /// </summary>
    public static int JidFromName(string? name, JailFlags flags)
    {
        if (name is null || (flags & (JailFlags.Create | JailFlags.Update)) != JailFlags.Create)
            return 0;
        var leaf = Leaf(name);
        return leaf.Length > 0 && leaf.All(char.IsAsciiDigit)
            && int.TryParse(leaf, NumberStyles.None, CultureInfo.InvariantCulture, out var jid) && jid <= Jail.MaxJid ? jid : 0;
    }

    /// <summary>
    /// <c>name cannot be numeric (unless it is the jid)</c> (EINVAL): a numeric last component must be
    /// the jail's own jid in normal form (no leading zero, never 0).
    /// </summary>
    public static SysResult<int> NumericName(string name, int jid)
    {
        var leaf = Leaf(name);
        if (leaf.Length == 0 || !leaf.All(char.IsAsciiDigit))
            return Ok;
        return jid > 0 && leaf == jid.ToString(CultureInfo.InvariantCulture)
            ? Ok
            : SysResult<int>.Fail(Errno.EINVAL, "name cannot be numeric (unless it is the jid)");
    }

    /// <summary>
    /// The final checks against the parent, before anything is set (no message in FreeBSD, so none here):
    /// <c>children.max</c> must be below the parent's, <c>enforce_statfs</c> not below the parent's, and
    /// no <c>allow.*</c> flag may be set that the parent lacks (<c>pr_allow &amp; ~ppr-&gt;pr_allow</c>).
    /// Each is EPERM; the request is refused, never silently trimmed.
    /// </summary>
    public static SysResult<int> WithinParent(JailParams p, Jail parent)
    {
        if (p["children.max"] is { } cm && int.Parse(cm, CultureInfo.InvariantCulture) >= parent.ChildrenMax)
            return SysResult<int>.Fail(Errno.EPERM);
        if (p["enforce_statfs"] is { } es && int.Parse(es, CultureInfo.InvariantCulture) < parent.EnforceStatfs)
            return SysResult<int>.Fail(Errno.EPERM);
        foreach (var (name, value) in p)
        {
            if (value == "true" && name.StartsWith("allow.", StringComparison.Ordinal) && !parent.IsAllowed(name))
                return SysResult<int>.Fail(Errno.EPERM);
        }
        return Ok;
    }

    /// <summary>
    /// What an update passes down to the descendants of <paramref name="jail"/>, as kern_jail_set does
    /// after setting it: each descendant's <c>children.max</c> is cut to at most the new value minus its
    /// depth below the jail (never below 0), <c>enforce_statfs</c> is raised to at least the new value,
    /// and an <c>allow.*</c> flag cleared here is cleared in every descendant.
    /// </summary>
    /// <param name="jail">The jail that was set.</param>
    /// <param name="p">The normalised parameters of the call.</param>
    /// <param name="descendants">Every descendant of <paramref name="jail"/>, dying ones included.</param>
    public static void PropagateDown(Jail jail, JailParams p, IEnumerable<Jail> descendants)
    {
        int? childMax = p["children.max"] is { } cm ? int.Parse(cm, CultureInfo.InvariantCulture) : null;
        int? enforce = p["enforce_statfs"] is { } es ? int.Parse(es, CultureInfo.InvariantCulture) : null;
        var cleared = p.Where(kv => kv.Value == "false" && kv.Key.StartsWith("allow.", StringComparison.Ordinal)).Select(kv => kv.Key).ToArray();
        var list = descendants as IReadOnlyList<Jail> ?? descendants.ToArray();
        if (p["host.hostname"] is not null)
            PassHostnameDown(jail, list);
        if (childMax is null && enforce is null && cleared.Length == 0)
            return;
        foreach (var d in list)
        {
            var level = d.Depth - jail.Depth;
            lock (d.Mutex)
            {
                if (childMax is { } max && d.ChildrenMax > max - level)
                    d.ChildrenMax = Math.Max(max - level, 0);
                if (enforce is { } e && d.EnforceStatfs < e)
                    d.EnforceStatfs = e;
                if (cleared.Any(d.Allow.Contains))
                    d.Allow = d.Allow.Except(cleared, StringComparer.Ordinal).ToAllowSet();
            }
        }
    }

    /// <summary>
    /// "Set this prison, and any descendants without PR_HOST": the new <c>host.hostname</c> of
    /// <paramref name="jail"/> reaches every descendant with <c>host=inherit</c> whose parent got it too;
    /// a descendant with its own host information stops the descent below it.
    /// </summary>
    public static void PassHostnameDown(Jail jail, IReadOnlyList<Jail> descendants)
    {
        var name = jail.HostName;
        var reached = new HashSet<Jail> { jail };
        foreach (var d in descendants.OrderBy(d => d.Depth))
        {
            if (!d.HostInherited || !reached.Contains(d.Parent!))
                continue;
            lock (d.Mutex)
                d.HostName = name;
            reached.Add(d);
        }
    }

    private static SysResult<int> Ok => SysResult<int>.Success(0);

    private static string Leaf(string name) => name[(name.LastIndexOf('.') + 1)..];
}
