using System.Globalization;
using Prison.Core;
using Prison.Core.Procs;
using Prison.Core.Syscalls;
using Prison.Core.Zfs;

namespace Prison.Cli.Userland;

/// <summary>
/// The property names zfs(8) accepts on the command line, their column headers, and the one property the
/// command derives itself: <c>available</c>, which the model has no pool size for. It is what the
/// nearest quota on the dataset or an ancestor leaves (<c>quota - used</c>, at least 0), or <c>-</c>
/// when no quota limits the dataset.
/// </summary>
internal static class ZfsProperties
{
    /// <summary>The derived property.</summary>
    public const string Available = "available";

    /// <summary>The default columns of <c>zfs list</c>, as FreeBSD's.</summary>
    public static readonly string[] ListDefault = ["name", "used", Available, "referenced", "mountpoint"];

    /// <summary>What <c>zfs get all</c> shows, in zfs(8)'s order.</summary>
    public static readonly string[] GetAll = ["type", "used", Available, "referenced", "quota", "mountpoint", "mounted", "jailed"];

    private static readonly Dictionary<string, string> Aliases = new(StringComparer.Ordinal)
    {
        ["avail"] = Available,
        ["refer"] = "referenced",
    };

    /// <summary>The canonical name of a property as typed (<c>avail</c> is <c>available</c>).</summary>
    public static string Canonical(string typed) => Aliases.GetValueOrDefault(typed, typed);

    /// <summary>The column header of a property in <c>zfs list</c>.</summary>
    public static string Header(string property) => property switch
    {
        Available => "AVAIL",
        "referenced" => "REFER",
        _ => property.ToUpperInvariant(),
    };

    /// <summary>True for a size: aligned right in listings and printed as <c>zfs_nicebytes</c> unless <c>-p</c>.</summary>
    public static bool IsSize(string property) => property is "used" or Available or "referenced" or "quota";

    /// <summary>A value as printed: sizes readable unless <paramref name="parsable"/>.</summary>
    public static string Display(string property, string value, bool parsable) =>
        !parsable && IsSize(property) && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var bytes)
            ? ZfsFormat.NiceBytes(bytes)
            : value;

    /// <summary>
    /// Computes <c>available</c> for every dataset the caller can see, from one <c>zfs list -o
    /// name,used,quota</c> (ancestors of a delegated dataset are visible, so their quotas count).
    /// </summary>
    public static SysResult<Func<string, string>> AvailableCalculator(SyscallInterface syscalls, Proc proc)
    {
        var listed = syscalls.ZfsList(proc, null, recursive: false, ["name", "used", "quota"], includeSnapshots: false);
        if (!listed.Ok)
            return SysResult<Func<string, string>>.Fail(listed.Error, listed.Message);
        var byName = listed.Value.ToDictionary(r => r.Name, StringComparer.Ordinal);
        return SysResult<Func<string, string>>.Success(name =>
        {
            if (name.Contains('@', StringComparison.Ordinal))
                return "-";
            long? left = null;
            for (var d = name; d.Length > 0; d = d.LastIndexOf('/') is var slash and > 0 ? d[..slash] : "")
            {
                if (!byName.TryGetValue(d, out var row) || !long.TryParse(row["quota"], NumberStyles.None, CultureInfo.InvariantCulture, out var quota))
                    continue;
                var room = Math.Max(0, quota - long.Parse(row["used"]!, CultureInfo.InvariantCulture));
                left = left is { } l ? Math.Min(l, room) : room;
            }
            return left?.ToString(CultureInfo.InvariantCulture) ?? "-";
        });
    }
}
