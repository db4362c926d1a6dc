using System.Collections.Concurrent;

namespace Prison.Core.Jails;

/// <summary>
/// Every known jail parameter: core's and those registered by services. Backs the
/// <c>security.jail.param.*</c> sysctls and the <c>unknown parameter: NAME</c> error.
/// </summary>
internal sealed class JailParameterRegistry
{
    private readonly ConcurrentDictionary<string, JailParameterDefinition> _params = new(StringComparer.Ordinal);

    /// <summary>Finds a parameter by exact name.</summary>
    public JailParameterDefinition? Find(string name) => _params.TryGetValue(name, out var p) ? p : null;

    /// <summary>All parameters, sorted by name.</summary>
    public IReadOnlyList<JailParameterDefinition> All => _params.Values.OrderBy(p => p.Name, StringComparer.Ordinal).ToArray();

    /// <summary>
    /// Resolves a name as jail(8) writes it: <c>nopersist</c> and <c>allow.nomount</c> are the false form of
    /// a boolean. Returns the parameter and the normalised value, or null when no one registered the name.
    /// </summary>
    public (JailParameterDefinition Param, string? Value)? Resolve(string name, string? value)
    {
        if (Find(name) is { } p)
            return (p, value);
        var dot = name.LastIndexOf('.');
        var leaf = name[(dot + 1)..];
        if (leaf.StartsWith("no", StringComparison.Ordinal) && value is null)
        {
            var positive = name[..(dot + 1)] + leaf[2..];
            if (Find(positive) is { Type: JailParamType.Bool } b)
                return (b, "false");
        }
        return null;
    }

    internal void Add(JailParameterDefinition parameter)
    {
        if (!_params.TryAdd(parameter.Name, parameter))
            throw new KernelErrorException(Errno.EEXIST, $"parameter {parameter.Name} is already registered");
    }

    internal void Remove(string name) => _params.TryRemove(name, out _);
}
