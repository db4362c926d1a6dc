using System.Collections;

namespace Prison.Core.Jails;

/// <summary>
/// An ordered list of jail parameters, name to value, as passed to <c>jail_set</c> and filled by
/// <c>jail_get</c> (FreeBSD passes name/value iovecs). Values are strings in jail(8)'s syntax; each
/// parameter's type (see <see cref="JailParameterDefinition"/>) decides how a value is parsed.
/// </summary>
public sealed class JailParams : IEnumerable<KeyValuePair<string, string?>>
{
    private readonly List<KeyValuePair<string, string?>> _items = [];

    /// <summary>An empty list.</summary>
    public JailParams() { }

    /// <summary>A list from pairs.</summary>
    public JailParams(IEnumerable<KeyValuePair<string, string?>> items)
    {
        foreach (var (k, v) in items)
            this[k] = v;
    }

    /// <summary>Gets or sets a value; setting a name that is present replaces its value in place.</summary>
    public string? this[string name]
    {
        get => TryGet(name, out var v) ? v : null;
        set
        {
            var i = IndexOf(name);
            if (i >= 0)
                _items[i] = new(name, value);
            else
                _items.Add(new(name, value));
        }
    }

    /// <summary>Number of parameters.</summary>
    public int Count => _items.Count;

    /// <summary>The names in order.</summary>
    public IEnumerable<string> Names => _items.Select(i => i.Key);

    /// <summary>True when the list names <paramref name="name"/>.</summary>
    public bool Contains(string name) => IndexOf(name) >= 0;

    /// <summary>Gets a value if the name is present.</summary>
    public bool TryGet(string name, out string? value)
    {
        var i = IndexOf(name);
        value = i >= 0 ? _items[i].Value : null;
        return i >= 0;
    }

    /// <summary>Adds a name with a value (collection initialiser support).</summary>
    public void Add(string name, string? value) => this[name] = value;

    /// <summary>Removes a name.</summary>
    public bool Remove(string name)
    {
        var i = IndexOf(name);
        if (i < 0)
            return false;
        _items.RemoveAt(i);
        return true;
    }

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, string?>> GetEnumerator() => _items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <inheritdoc />
    public override string ToString() => string.Join(' ', _items.Select(i => i.Value is null ? i.Key : $"{i.Key}={i.Value}"));

    private int IndexOf(string name) => _items.FindIndex(i => i.Key == name);
}

/// <summary>Flags of <c>jail_set</c> / <c>jail_get</c> (sys/jail.h).</summary>
[Flags]
public enum JailFlags
{
    /// <summary>No flag.</summary>
    None = 0,
    /// <summary>Create a jail.</summary>
    Create = 0x01,
    /// <summary>Update an existing jail.</summary>
    Update = 0x02,
    /// <summary>Attach the caller to the jail.</summary>
    Attach = 0x04,
    /// <summary>Allow getting a dying jail.</summary>
    Dying = 0x08,
    /// <summary>The <c>desc</c> parameter names the jail to act on (instead of jid or name).</summary>
    UseDesc = 0x10,
    /// <summary>The <c>desc</c> parameter names the jail that names are relative to (a child is created under it).</summary>
    AtDesc = 0x20,
    /// <summary>Return a new jail descriptor in <c>desc</c>.</summary>
    GetDesc = 0x40,
    /// <summary>Return a new owning jail descriptor in <c>desc</c>: the jail is removed at its last close.</summary>
    OwnDesc = 0x80,
}
