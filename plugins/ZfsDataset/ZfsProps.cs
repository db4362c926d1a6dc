using System.Globalization;
using Prison.Core;

namespace Prison.Plugins.ZfsDataset;

/// <summary>The properties the model knows, their parsing and their validation (zfs(8) wording).</summary>
internal static class ZfsProps
{
    public const string Name = "name";
    public const string Type = "type";
    public const string Used = "used";
    public const string Referenced = "referenced";
    public const string Quota = "quota";
    public const string MountPoint = "mountpoint";
    public const string Mounted = "mounted";
    public const string Jailed = "jailed";

    /// <summary>Every property, in the order <c>zfs get all</c> prints them.</summary>
    public static readonly string[] All = [Type, Used, Referenced, Quota, MountPoint, Mounted, Jailed];

    /// <summary>The columns of <c>zfs list</c> without <c>-o</c>.</summary>
    public static readonly string[] ListDefault = [Name, Used, Referenced, MountPoint];

    /// <summary>The properties <c>zfs set</c> accepts.</summary>
    public static readonly string[] Settable = [Quota, MountPoint, Jailed];

    /// <summary>True for a known property name (including <c>name</c>).</summary>
    public static bool IsKnown(string property) => property == Name || All.Contains(property);

    /// <summary>
    /// Parses a value for a settable property into its stored form (quota in bytes, "0" meaning none).
    /// Returns EINVAL with zfs(8)'s wording for an unknown, read-only or malformed property.
    /// </summary>
    public static SysResult<string> Parse(string dataset, string property, string value)
    {
        var prefix = $"cannot set property for '{dataset}'";
        if (!IsKnown(property))
            return SysResult<string>.Fail(Errno.EINVAL, $"{prefix}: invalid property '{property}'");
        if (!Settable.Contains(property))
            return SysResult<string>.Fail(Errno.EINVAL, $"{prefix}: '{property}' is readonly");
        switch (property)
        {
            case Jailed:
                return value is "on" or "off"
                    ? SysResult<string>.Success(value)
                    : SysResult<string>.Fail(Errno.EINVAL, $"{prefix}: 'jailed' must be one of 'on | off'");
            case MountPoint:
                return value is "none" or "legacy" || (value.StartsWith('/') && !value.Contains("//", StringComparison.Ordinal))
                    ? SysResult<string>.Success(value)
                    : SysResult<string>.Fail(Errno.EINVAL, $"{prefix}: 'mountpoint' must be an absolute path, 'none', or 'legacy'");
            default:
                return ParseSize(value) is { } bytes
                    ? SysResult<string>.Success(bytes.ToString(CultureInfo.InvariantCulture))
                    : SysResult<string>.Fail(Errno.EINVAL, $"{prefix}: bad numeric value '{value}'");
        }
    }

    /// <summary>Parses <c>none</c>, a byte count, or a count with a K/M/G/T suffix (powers of 1024, as zfs).</summary>
    public static long? ParseSize(string value)
    {
        if (value == "none")
            return 0;
        var text = value.TrimEnd('B', 'b');
        var shift = 0;
        if (text.Length > 0 && char.ToUpperInvariant(text[^1]) is 'K' or 'M' or 'G' or 'T' or 'P')
        {
            shift = 10 * ("KMGTP".IndexOf(char.ToUpperInvariant(text[^1]), StringComparison.Ordinal) + 1);
            text = text[..^1];
        }
        if (!decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            return null;
        var bytes = number * (1L << shift);
        return bytes > long.MaxValue ? null : (long)decimal.Floor(bytes);
    }
}
