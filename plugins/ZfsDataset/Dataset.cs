namespace Prison.Plugins.ZfsDataset;

/// <summary>
/// A file system or a snapshot. Only its locally set properties are stored; inherited and computed
/// values are derived by <see cref="DatasetStore"/>. Guarded by the module lock.
/// </summary>
internal sealed class Dataset(string name, bool isSnapshot)
{
    /// <summary>The full name.</summary>
    public string Name { get; set; } = name;

    /// <summary>True for <c>fs@snap</c>.</summary>
    public bool IsSnapshot { get; } = isSnapshot;

    /// <summary>Locally set properties (<c>jailed</c>, <c>mountpoint</c>, <c>quota</c> in bytes).</summary>
    public Dictionary<string, string> Local { get; } = new(StringComparer.Ordinal);

    /// <summary>The model's files: path to size in bytes (file systems only).</summary>
    public Dictionary<string, long> Files { get; } = new(StringComparer.Ordinal);

    /// <summary>For a snapshot: the bytes its file system referenced when it was taken.</summary>
    public long FrozenReferenced { get; init; }

    /// <summary>
    /// Set while a destroy unmounts the dataset: the mount check refuses it (EBUSY), so no mount can
    /// slip in between the unmount and the removal.
    /// </summary>
    public bool Busy { get; set; }

    /// <summary>Bytes the dataset itself holds.</summary>
    public long Referenced => IsSnapshot ? FrozenReferenced : Files.Values.Sum();
}
