using Prison.Core;

namespace Prison.Plugins.ZfsDataset;

/// <summary>Dataset names: <c>pool/fs/child</c> for file systems, <c>pool/fs@snap</c> for snapshots.</summary>
internal static class DatasetName
{
    /// <summary>ZFS_MAX_DATASET_NAME_LEN minus the terminating NUL.</summary>
    public const int MaxLength = 255;

    /// <summary>Checks a file system name (no '@'); returns a zfs-style reason, or null when valid.</summary>
    public static SysResult<int> CheckFileSystem(string verb, string name)
    {
        if (name.Contains('@', StringComparison.Ordinal))
            return Fail(verb, name, "snapshot delimiter '@' is not expected here");
        return CheckComponents(verb, name, name);
    }

    /// <summary>Checks a snapshot name (<c>fs@snap</c>).</summary>
    public static SysResult<int> CheckSnapshot(string verb, string name)
    {
        var at = name.IndexOf('@', StringComparison.Ordinal);
        if (at < 0)
            return Fail(verb, name, "missing '@' delimiter in snapshot name");
        if (name.IndexOf('@', at + 1) >= 0)
            return Fail(verb, name, "multiple '@' delimiters in name");
        var snap = name[(at + 1)..];
        if (snap.Length == 0)
            return Fail(verb, name, "empty component in name");
        var bad = snap.FirstOrDefault(c => !IsNameChar(c));
        if (bad != default)
            return Fail(verb, name, $"invalid character '{bad}' in name");
        return CheckComponents(verb, name, name[..at]);
    }

    /// <summary>Checks either kind.</summary>
    public static SysResult<int> CheckAny(string verb, string name) =>
        name.Contains('@', StringComparison.Ordinal) ? CheckSnapshot(verb, name) : CheckFileSystem(verb, name);

    /// <summary>The pool a name belongs to.</summary>
    public static string Pool(string name) => name.Split('/', '@')[0];

    /// <summary>The parent file system: <c>tank/a</c> for <c>tank/a/b</c> and for <c>tank/a@s</c>; null for a pool root.</summary>
    public static string? Parent(string name)
    {
        var at = name.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
            return name[..at];
        var slash = name.LastIndexOf('/');
        return slash < 0 ? null : name[..slash];
    }

    /// <summary>True when <paramref name="name"/> is <paramref name="ancestor"/> itself, a descendant or one of their snapshots.</summary>
    public static bool IsSelfOrBelow(string name, string ancestor) =>
        name == ancestor || (name.Length > ancestor.Length && name.StartsWith(ancestor, StringComparison.Ordinal)
            && name[ancestor.Length] is '/' or '@');

    /// <summary>True when <paramref name="name"/> is strictly below <paramref name="ancestor"/> (a descendant file system or a snapshot).</summary>
    public static bool IsBelow(string name, string ancestor) => name != ancestor && IsSelfOrBelow(name, ancestor);

    private static SysResult<int> CheckComponents(string verb, string full, string fs)
    {
        if (full.Length > MaxLength)
            return SysResult<int>.Fail(Errno.ENAMETOOLONG, $"cannot {verb} '{full}': name is too long");
        if (fs.Length == 0)
            return Fail(verb, full, "empty component in name");
        foreach (var component in fs.Split('/'))
        {
            if (component.Length == 0)
                return Fail(verb, full, "empty component in name");
            var bad = component.FirstOrDefault(c => !IsNameChar(c));
            if (bad != default)
                return Fail(verb, full, $"invalid character '{bad}' in name");
        }
        if (!char.IsAsciiLetter(fs[0]))
            return Fail(verb, full, "pool name must begin with a letter");
        return SysResult<int>.Success(0);
    }

    private static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' or ':';

    private static SysResult<int> Fail(string verb, string name, string reason) =>
        SysResult<int>.Fail(Errno.EINVAL, $"cannot {verb} '{name}': {reason}");
}
