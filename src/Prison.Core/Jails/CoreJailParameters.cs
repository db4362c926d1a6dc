using System.Globalization;

namespace Prison.Core.Jails;

/// <summary>The parameters core owns, how they are read from a jail and applied to it.</summary>
internal static class CoreJailParameters
{
    public static readonly JailParameterDefinition[] AllowFlags =
    [
        JailParameterDefinition.AllowFlag("allow.set_hostname", "Jail root may set the hostname"),
        JailParameterDefinition.AllowFlag("allow.sysvipc", "Jail may use the parent's System V IPC (legacy: inherit)"),
        JailParameterDefinition.AllowFlag("allow.raw_sockets", "Jail root may create raw sockets"),
        JailParameterDefinition.AllowFlag("allow.mount", "Jail root may mount jail-friendly file systems"),
    ];

    public static readonly JailParameterDefinition[] All =
    [
        new("jid", JailParamType.Int, "Jail ID"),
        new("name", JailParamType.String, "Jail name"),
        new("parent", JailParamType.Int, "Jail parent ID") { ReadOnly = true },
        new("host.hostname", JailParamType.String, "Jail hostname"),
        new("host", JailParamType.Choice, "Jail host information: its own (new) or the parent's (inherit)") { Choices = ["new", "inherit"] },
        new("persist", JailParamType.Bool, "Jail persistence"),
        new("dying", JailParamType.Bool, "Jail is in the process of shutting down") { ReadOnly = true },
        new("children.max", JailParamType.Int, "Maximum number of child jails"),
        new("children.cur", JailParamType.Int, "Current number of child jails") { ReadOnly = true },
        new("enforce_statfs", JailParamType.Int, "Jail mount visibility: 0, 1 or 2"),
        new("lastjid", JailParamType.Int, "jail_get: the jail after this jid") { ReadOnly = true },
        new("errmsg", JailParamType.String, "Error message returned by jail_set / jail_get"),
        .. AllowFlags,
    ];

    /// <summary>Reads a core parameter's value, or null when the name is not core's.</summary>
    public static string? Read(Jail jail, Jail viewer, string name) => name switch
    {
        "jid" => Text(jail.Id),
        "name" => jail.NameRelativeTo(viewer),
        "parent" => Text(ReferenceEquals(jail.Parent, viewer) || jail.Parent is null ? 0 : jail.Parent.Id),
        "host.hostname" => jail.HostName,
        "host" => jail.HostInherited ? "inherit" : "new",
        "persist" => Bool(jail.Persist),
        "dying" => Bool(jail.State == JailState.Dying),
        "children.max" => Text(jail.ChildrenMax),
        "children.cur" => Text(jail.ChildrenCur),
        "enforce_statfs" => Text(jail.EnforceStatfs),
        _ when name.StartsWith("allow.", StringComparison.Ordinal) => Bool(jail.IsAllowed(name)),
        _ => null,
    };

    /// <summary>
    /// Validates the core values of a <c>jail_set</c> on their own (the checks against the parent are
    /// <see cref="JailSetRules.WithinParent"/>). Returns the first problem with FreeBSD-style wording.
    /// </summary>
    public static SysResult<int> Validate(JailParams p)
    {
        if (p["children.max"] is { } cm && int.Parse(cm, CultureInfo.InvariantCulture) < 0)
            return SysResult<int>.Fail(Errno.EINVAL, "children.max: must not be negative");
        if (p["enforce_statfs"] is { } es)
        {
            var v = int.Parse(es, CultureInfo.InvariantCulture);
            if (v is < 0 or > 2)
                return SysResult<int>.Fail(Errno.EINVAL, "enforce_statfs: must be 0, 1 or 2");
        }
        if (p["host.hostname"] is { Length: > 255 })
            return SysResult<int>.Fail(Errno.ENAMETOOLONG, "host.hostname: too long");
        return SysResult<int>.Success(0);
    }

    /// <summary>Applies the core values (already validated) to the jail, under its mutex.</summary>
    /// <returns>The change in <c>persist</c>: +1 set, -1 cleared, 0 unchanged.</returns>
    public static int Apply(Jail jail, JailParams p)
    {
        var persistDelta = 0;
        lock (jail.Mutex)
        {
            // host.hostname gives the jail host information of its own (FreeBSD sets PR_HOST with it);
            // host=inherit alone takes the parent's again.
            if (p["host.hostname"] is { } hn)
            {
                jail.HostName = hn;
                jail.HostInherited = false;
            }
            else if (p["host"] is { } host)
            {
                jail.HostInherited = host == "inherit";
                if (jail.HostInherited)
                    jail.HostName = jail.Parent!.HostName;
            }
            if (p["children.max"] is { } cm)
                jail.ChildrenMax = int.Parse(cm, CultureInfo.InvariantCulture);
            if (p["enforce_statfs"] is { } es)
                jail.EnforceStatfs = int.Parse(es, CultureInfo.InvariantCulture);
            if (p["persist"] is { } ps && (ps == "true") != jail.Persist)
            {
                jail.Persist = ps == "true";
                persistDelta = jail.Persist ? 1 : -1;
            }
            var allow = jail.Allow.ToHashSet(StringComparer.Ordinal);
            foreach (var (name, value) in p)
            {
                if (!name.StartsWith("allow.", StringComparison.Ordinal))
                    continue;
                // JailSetRules.WithinParent refused (EPERM) any flag the parent lacks, as FreeBSD does.
                if (value == "true")
                    allow.Add(name);
                else
                    allow.Remove(name);
            }
            jail.Allow = allow.ToAllowSet();
        }
        return persistDelta;
    }

    /// <summary>An int as invariant decimal text (jids and counts in names and parameter values).</summary>
    private static string Text(int v) => v.ToString(CultureInfo.InvariantCulture);

    private static string Bool(bool v) => v ? "true" : "false";
}
