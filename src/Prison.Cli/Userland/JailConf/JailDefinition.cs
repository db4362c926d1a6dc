namespace Prison.Cli.Userland.JailConf;

/// <summary>
/// One jail's parameters after jail.conf(5) is applied: the statements outside any block, then the
/// <c>*</c> block, then the jail's own block(s), later ones overriding earlier ones (<c>+=</c> appends
/// to a list), with <c>$var</c> / <c>${name}</c> expanded last, so a reference sees the final value.
/// A numeric block name is the jid, and the block name is the default <c>name</c> (jail(8) does both).
/// </summary>
internal sealed class JailDefinition
{
    private const int MaxExpansionDepth = 32;

    private JailDefinition(string blockName, List<(string Name, List<string>? Values)> parameters)
    {
        BlockName = blockName;
        Parameters = parameters;
    }

    /// <summary>The name the jail is known by in the file (and in jail(8)'s messages).</summary>
    public string BlockName { get; }

    /// <summary>Parameters in first-set order; a null list is a parameter without a value (<c>persist;</c>).</summary>
    public IReadOnlyList<(string Name, List<string>? Values)> Parameters { get; }

    /// <summary>The values of <paramref name="name"/>, or null when it is not set.</summary>
    public IReadOnlyList<string>? Get(string name) => Parameters.FirstOrDefault(p => p.Name == name).Values;

    /// <summary>True when <paramref name="name"/> is set (with or without a value).</summary>
    public bool Has(string name) => Parameters.Any(p => p.Name == name);

    /// <summary>Builds the definition of jail <paramref name="name"/>; on failure returns null and the reason.</summary>
    public static JailDefinition? Build(JailConfFile file, string name, out string? error)
    {
        var statements = file.Globals
            .Concat(file.Blocks.Where(b => b.Name == "*").SelectMany(b => b.Statements))
            .Concat(file.Blocks.Where(b => b.Name == name).SelectMany(b => b.Statements))
            .ToArray();
        var variables = new Dictionary<string, List<ConfValue>>(StringComparer.Ordinal);
        var raw = new List<(string Name, List<ConfValue>? Values)>();
        foreach (var s in statements)
        {
            if (s.IsVariable)
            {
                variables[s.Name] = s.Append && variables.TryGetValue(s.Name, out var old) ? [.. old, .. s.Values] : [.. s.Values];
                continue;
            }
            var i = raw.FindIndex(r => r.Name == s.Name);
            List<ConfValue>? values = !s.HasValue ? null
                : s.Append && i >= 0 && raw[i].Values is { } existing ? [.. existing, .. s.Values] : [.. s.Values];
            if (i >= 0)
                raw[i] = (s.Name, values);
            else
                raw.Add((s.Name, values));
        }
        if (name.Length > 0 && name.All(char.IsAsciiDigit) && !raw.Any(r => r.Name == "jid"))
            raw.Insert(0, ("jid", [new ConfValue([new ValuePiece(name, false)])]));
        if (!raw.Any(r => r.Name == "name"))
            raw.Insert(0, ("name", [new ConfValue([new ValuePiece(name, false)])]));

        var expander = new Expander(variables, raw);
        var result = new List<(string, List<string>?)>();
        foreach (var (paramName, values) in raw)
        {
            if (values is null)
            {
                result.Add((paramName, null));
                continue;
            }
            var expanded = new List<string>();
            foreach (var v in values)
            {
                var text = expander.Expand(v, paramName, 0, out error);
                if (text is null)
                    return null;
                expanded.Add(text);
            }
            result.Add((paramName, expanded));
        }
        error = null;
        return new JailDefinition(name, result);
    }

    /// <summary>Expands references: a <c>$var</c> first, then a parameter of the same jail.</summary>
    private sealed class Expander(Dictionary<string, List<ConfValue>> variables, List<(string Name, List<ConfValue>? Values)> parameters)
    {
        public string? Expand(ConfValue value, string where, int depth, out string? error)
        {
            error = null;
            if (depth > MaxExpansionDepth)
            {
                error = $"{where}: variable loop";
                return null;
            }
            var sb = new System.Text.StringBuilder();
            foreach (var piece in value.Pieces)
            {
                if (!piece.IsReference)
                {
                    sb.Append(piece.Text);
                    continue;
                }
                List<ConfValue>? target = variables.TryGetValue(piece.Text, out var v) ? v
                    : parameters.FirstOrDefault(p => p.Name == piece.Text) is { Name: not null } p ? p.Values ?? [] : null;
                if (target is null)
                {
                    error = $"{where}: variable \"{piece.Text}\" not found";
                    return null;
                }
                var parts = new List<string>();
                foreach (var t in target)
                {
                    var expanded = Expand(t, where, depth + 1, out error);
                    if (expanded is null)
                        return null;
                    parts.Add(expanded);
                }
                sb.Append(string.Join(',', parts));
            }
            return sb.ToString();
        }
    }
}
