namespace Prison.Core.Ipc.Sysv;

/// <summary>The value of a <c>sysvshm</c> / <c>sysvsem</c> / <c>sysvmsg</c> jail parameter (FreeBSD's jailsys).</summary>
internal enum JailSysMode
{
    /// <summary>The calls fail with ENOSYS.</summary>
    Disable,
    /// <summary>The jail uses its parent's namespace.</summary>
    Inherit,
    /// <summary>The jail has a namespace of its own.</summary>
    New,
}

/// <summary>Text forms of <see cref="JailSysMode"/>.</summary>
internal static class JailSysModes
{
    /// <summary>The values jail(8) accepts, in FreeBSD's order.</summary>
    public static readonly IReadOnlyList<string> Names = ["disable", "inherit", "new"];

    /// <summary>Parses <c>disable | inherit | new</c>.</summary>
    public static JailSysMode? Parse(string? text) => text switch
    {
        "disable" => JailSysMode.Disable,
        "inherit" => JailSysMode.Inherit,
        "new" => JailSysMode.New,
        _ => null,
    };

    /// <summary>The jail(8) spelling.</summary>
    public static string ToParam(this JailSysMode mode) => Names[(int)mode];
}
