using System.Collections.Concurrent;
using Prison.Core.Procs;

namespace Prison.Core.Sysctl;

/// <summary>
/// The sysctl tree: named nodes added by core and by modules (removed when the module unloads), plus
/// dynamic branches computed on demand (<c>security.jail.param.*</c>). Lookups are lock-free.
/// </summary>
internal sealed class SysctlTree
{
    private readonly ConcurrentDictionary<string, SysctlNode> _nodes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Func<IEnumerable<SysctlNode>>> _branches = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _initial = new(StringComparer.Ordinal);

    /// <summary>The credential used to record each node's value when it is added (host root), for snapshots.</summary>
    internal Ucred? InitialValueReader { get; set; }

    /// <summary>Adds a node; EEXIST when the name is taken.</summary>
    public Errno Add(SysctlNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (!_nodes.TryAdd(node.Name, node))
            return Errno.EEXIST;
        if (InitialValueReader is { } cred && node.Type != SysctlType.Opaque && node.Read(cred) is { Ok: true } v)
            _initial[node.Name] = Format(v.Value);
        return Errno.OK;
    }

    /// <summary>Removes a node by name.</summary>
    public bool Remove(string name)
    {
        _initial.TryRemove(name, out _);
        return _nodes.TryRemove(name, out _);
    }

    /// <summary>
    /// The writable scalar nodes (tunables) whose value, as <paramref name="reader"/> sees it, differs from
    /// their value when they were added. Read-only nodes are state, not settings, and are left out.
    /// </summary>
    public IReadOnlyList<(string Name, string Value)> Changed(Ucred reader) =>
        _nodes.Values.Where(n => n.Type != SysctlType.Opaque && n.Access != SysctlAccess.ReadOnly && _initial.ContainsKey(n.Name))
            .Select(n => (n.Name, Value: n.Read(reader) is { Ok: true } v ? Format(v.Value) : ""))
            .Where(x => x.Value != _initial[x.Name])
            .OrderBy(x => x.Name, StringComparer.Ordinal).ToArray();

    private static string Format(object value) => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "";

    /// <summary>Adds a branch whose nodes are computed when listed or read (prefix ends with a dot).</summary>
    public void AddBranch(string prefix, Func<IEnumerable<SysctlNode>> nodes) => _branches[prefix] = nodes;

    /// <summary>Removes a branch added with <see cref="AddBranch"/>; false when there is none.</summary>
    public bool RemoveBranch(string prefix) => _branches.TryRemove(prefix, out _);

    /// <summary>Finds a node by exact name.</summary>
    public SysctlNode? Find(string name)
    {
        if (_nodes.TryGetValue(name, out var node))
            return node;
        foreach (var (prefix, nodes) in _branches)
        {
            if (name.StartsWith(prefix, StringComparison.Ordinal))
                return nodes().FirstOrDefault(n => n.Name == name);
        }
        return null;
    }

    /// <summary>Every node under <paramref name="prefix"/> (a full name or a dotted prefix), sorted by name.</summary>
    public IReadOnlyList<SysctlNode> List(string prefix = "")
    {
        var all = _nodes.Values.Concat(_branches.Values.SelectMany(b => b()));
        return all.Where(n => prefix == "" || n.Name == prefix || n.Name.StartsWith(prefix + ".", StringComparison.Ordinal))
            .OrderBy(n => n.Name, StringComparer.Ordinal).ToArray();
    }

    /// <summary>sysctl(3) read: ENOENT for an unknown name.</summary>
    public SysResult<object> Read(Ucred caller, string name) =>
        Find(name) is { } node ? node.Read(caller) : SysResult<object>.Fail(Errno.ENOENT, $"unknown oid '{name}'");

    /// <summary>
    /// sysctl(3) write: ENOENT for an unknown name, EPERM for a read-only node or a caller without the
    /// privilege (jailed root may write only prison-writable nodes), EINVAL for a bad value.
    /// </summary>
    public Errno Write(Ucred caller, string name, string value)
    {
        if (Find(name) is not { } node)
            return Errno.ENOENT;
        if (node.Access == SysctlAccess.ReadOnly)
            return Errno.EPERM;
        if (!caller.IsRoot)
            return Errno.EPERM;
        if (caller.IsJailed && (node.Access & SysctlAccess.PrisonWritable) == 0)
            return Errno.EPERM;
        return node.Write(caller, value);
    }
}
