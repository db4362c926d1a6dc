namespace Prison.Core.Jails;

/// <summary>The value type of a jail parameter (FreeBSD's CTLTYPE of <c>security.jail.param.*</c>).</summary>
public enum JailParamType
{
    /// <summary>A signed integer.</summary>
    Int,
    /// <summary>A string.</summary>
    String,
    /// <summary>A boolean: <c>true/false</c>, <c>1/0</c>; <c>noNAME</c> sets it false.</summary>
    Bool,
    /// <summary>One of <see cref="JailParameterDefinition.Choices"/> (jailsys: <c>disable | inherit | new</c>).</summary>
    Choice,
}

/// <summary>
/// A jail parameter: its name, type and owner. Core registers its own (<c>name</c>, <c>persist</c>,
/// <c>children.max</c>, ...); services register theirs with <c>JailServiceDefinition.Parameters</c>
/// and validate values in their <c>check</c> method. A name no one registered is refused with
/// <c>unknown parameter: NAME</c>.
/// </summary>
/// <param name="Name">Full name, for example <c>sysvshm</c> or <c>allow.mount.zfs</c>.</param>
/// <param name="Type">Value type.</param>
/// <param name="Description">One line for <c>sysctl -d security.jail.param.NAME</c>.</param>
public sealed record JailParameterDefinition(string Name, JailParamType Type, string Description)
{
    /// <summary>Allowed values for <see cref="JailParamType.Choice"/>.</summary>
    public IReadOnlyList<string> Choices { get; init; } = [];

    /// <summary>True for parameters that can be read but not set (<c>children.cur</c>, <c>dying</c>).</summary>
    public bool ReadOnly { get; init; }

    /// <summary>The owning service's name, or null for core parameters.</summary>
    public string? Owner { get; init; }

    /// <summary>
    /// Checks the syntax of <paramref name="value"/> for this parameter's type and returns the
    /// normalised value (booleans become <c>true</c>/<c>false</c>), or null when it does not parse.
    /// </summary>
    public string? Normalize(string? value)
    {
        switch (Type)
        {
            case JailParamType.Bool:
                return value switch
                {
                    null or "" or "1" or "true" => "true",
                    "0" or "false" => "false",
                    _ => null,
                };
            case JailParamType.Int:
                return long.TryParse(value, System.Globalization.NumberStyles.AllowLeadingSign,
                    System.Globalization.CultureInfo.InvariantCulture, out var n)
                    && n is >= int.MinValue and <= int.MaxValue ? n.ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
            case JailParamType.Choice:
                return value is not null && Choices.Contains(value) ? value : null;
            default:
                return value ?? "";
        }
    }

    /// <summary>An <c>allow.*</c> flag parameter.</summary>
    public static JailParameterDefinition AllowFlag(string name, string description, string? owner = null) =>
        new(name, JailParamType.Bool, description) { Owner = owner };
}
