using System.Collections.Concurrent;

namespace Prison.Core;

/// <summary>
/// The kernel environment (FreeBSD's kenv(1) / loader tunables): name=value strings a module reads
/// when it loads, for example <c>kern.ipc.shmmni</c> or a test module's failure switch.
/// </summary>
internal sealed class Kenv
{
    private readonly ConcurrentDictionary<string, string> _vars = new(StringComparer.Ordinal);

    /// <summary>Gets a variable, or null.</summary>
    public string? Get(string name) => _vars.TryGetValue(name, out var v) ? v : null;

    /// <summary>Sets a variable.</summary>
    public void Set(string name, string value) => _vars[name] = value;

    /// <summary>Removes a variable.</summary>
    public bool Unset(string name) => _vars.TryRemove(name, out _);

    /// <summary>Every variable, sorted by name.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> All => _vars.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToArray();
}
