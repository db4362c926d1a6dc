using System.Globalization;
using Prison.Cli.Shell;
using Prison.Core;
using Prison.Core.Jails;

namespace Prison.Cli.Userland.JailConf;

/// <summary>A jail to act on: its parameters, and whether it came from the config file.</summary>
internal sealed class JailSpec
{
    public JailSpec(JailDefinition definition, bool fromConfig)
        : this(definition.Parameters, fromConfig) => BlockName = definition.BlockName;

    public JailSpec(IReadOnlyList<(string Name, List<string>? Values)> parameters, bool fromConfig)
    {
        Parameters = parameters;
        FromConfig = fromConfig;
    }

    /// <summary>Every parameter, jail(8)'s own (<c>exec.*</c>, <c>path</c>) included.</summary>
    public IReadOnlyList<(string Name, List<string>? Values)> Parameters { get; }

    /// <summary>True for a jail defined in jail.conf (jail(8)'s <c>j-&gt;name != NULL</c>).</summary>
    public bool FromConfig { get; }

    /// <summary>The block name for a config jail.</summary>
    public string? BlockName { get; }

    /// <summary>The values of <paramref name="name"/>, or null when not set.</summary>
    public IReadOnlyList<string>? Get(string name) => Parameters.FirstOrDefault(p => p.Name == name).Values;

    /// <summary>True when <paramref name="name"/> is set.</summary>
    public bool Has(string name) => Parameters.Any(p => p.Name == name);

    /// <summary>The name or jid that identifies the jail, for lookups and messages.</summary>
    public string? Key => First("name") ?? First("jid") ?? BlockName;

    /// <summary>The first value of <paramref name="name"/>, or null.</summary>
    public string? First(string name) => Get(name) is { Count: > 0 } values ? values[0] : null;

    /// <summary>
    /// True for a parameter jail(8) handles itself rather than passing to jail_set: the hooks and the
    /// other <c>exec.*</c> settings, <c>mount.*</c>, <c>path</c> (Prison's jails have no root
    /// directory of their own; it only sets <c>JPATH</c>), <c>command</c> and <c>depend</c>.
    /// </summary>
    public static bool IsJailOwn(string name) =>
        name.StartsWith("exec.", StringComparison.Ordinal) || name.StartsWith("mount.", StringComparison.Ordinal)
        || name is "path" or "command" or "depend";

    /// <summary>The kernel's parameters, as jail_set gets them (a list becomes comma-separated).</summary>
    public JailParams KernelParameters()
    {
        var p = new JailParams();
        foreach (var (name, values) in Parameters)
        {
            if (!IsJailOwn(name) && !IsDeprecated(name))
                p[name] = values is null ? null : string.Join(',', values);
        }
        return p;
    }

    /// <summary><c>allow.dying</c>: deprecated in FreeBSD 15, warned about and not passed on.</summary>
    public static bool IsDeprecated(string name) => name is "allow.dying" or "allow.nodying";

    /// <summary>An int as invariant decimal text, for messages and hook variables.</summary>
    public static string Text(int v) => v.ToString(CultureInfo.InvariantCulture);
}
