namespace Prison.Plugins.ZfsDataset;

/// <summary>
/// The pools and their datasets, by full name. Not thread-safe: the module lock guards it.
/// </summary>
internal sealed class DatasetStore
{
    private readonly SortedDictionary<string, Dataset> _byName = new(StringComparer.Ordinal);

    /// <summary>Every dataset, in name order.</summary>
    public IEnumerable<Dataset> All => _byName.Values;

    /// <summary>The pool names.</summary>
    public IEnumerable<string> Pools => _byName.Keys.Where(n => DatasetName.Parent(n) is null);

    /// <summary>Finds a dataset.</summary>
    public Dataset? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>True when the dataset exists.</summary>
    public bool Exists(string name) => _byName.ContainsKey(name);

    /// <summary>Adds a dataset (its parent must exist, except for a pool root).</summary>
    public Dataset Add(string name, bool isSnapshot, long frozenReferenced = 0)
    {
        var ds = new Dataset(name, isSnapshot) { FrozenReferenced = frozenReferenced };
        _byName.Add(name, ds);
        return ds;
    }

    /// <summary>Removes one dataset.</summary>
    public void Remove(string name) => _byName.Remove(name);

    /// <summary>The datasets strictly below <paramref name="name"/> (descendants and snapshots), deepest first.</summary>
    public Dataset[] Below(string name) =>
        _byName.Values.Where(d => DatasetName.IsBelow(d.Name, name)).OrderByDescending(d => d.Name.Length).ToArray();

    /// <summary>Renames a dataset and everything below it.</summary>
    public void Rename(string from, string to)
    {
        var moving = _byName.Values.Where(d => DatasetName.IsSelfOrBelow(d.Name, from)).ToArray();
        foreach (var d in moving)
            _byName.Remove(d.Name);
        foreach (var d in moving)
        {
            d.Name = to + d.Name[from.Length..];
            _byName.Add(d.Name, d);
        }
    }

    /// <summary><c>used</c>: the bytes of a file system and of every file system below it.</summary>
    public long Used(Dataset ds) => ds.IsSnapshot
        ? 0
        : ds.Referenced + _byName.Values.Where(d => !d.IsSnapshot && DatasetName.IsBelow(d.Name, ds.Name)).Sum(d => d.Referenced);

    /// <summary>
    /// The value of an inheritable property and where it comes from: the nearest self-or-ancestor that
    /// sets it locally, or null when none does.
    /// </summary>
    public (string Value, Dataset Setpoint)? Inherited(Dataset ds, string property)
    {
        for (var name = ds.IsSnapshot ? DatasetName.Parent(ds.Name) : ds.Name; name is not null; name = DatasetName.Parent(name))
        {
            if (Find(name) is { } d && d.Local.TryGetValue(property, out var v))
                return (v, d);
        }
        return null;
    }

    /// <summary>The effective <c>jailed</c> of a dataset (snapshots follow their file system).</summary>
    public bool IsJailed(Dataset ds) => Inherited(ds, ZfsProps.Jailed)?.Value == "on";

    /// <summary>The effective <c>mountpoint</c>: a local value, an ancestor's with the rest of the name appended, or <c>/NAME</c>.</summary>
    public string MountPoint(Dataset ds)
    {
        if (Inherited(ds, ZfsProps.MountPoint) is not { } set)
            return "/" + ds.Name;
        if (set.Value is "none" or "legacy" || ReferenceEquals(set.Setpoint, ds))
            return set.Value;
        var rest = ds.Name[set.Setpoint.Name.Length..];
        return set.Value.TrimEnd('/') + rest;
    }
}
