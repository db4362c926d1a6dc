namespace Prison.Plugins.ZfsDataset;

/// <summary>How a jail sees a dataset name (OpenZFS <c>zone_dataset_visible</c>).</summary>
internal enum Visibility
{
    /// <summary>Does not exist as far as the jail can tell: ENOENT.</summary>
    None,

    /// <summary>An ancestor of an attached dataset: listed, but read-only (EPERM on change).</summary>
    ReadOnly,

    /// <summary>An attached dataset, a descendant or a snapshot of one: the jail manages it.</summary>
    Writable,
}

/// <summary>The visibility rule.</summary>
internal static class DatasetVisibility
{
    /// <summary>
    /// The host sees everything writable; a jail sees, through its own attached list only (a child jail
    /// does not inherit its parent's datasets), the attached datasets and what is below them writable,
    /// and their ancestors read-only.
    /// </summary>
    public static Visibility Of(string name, bool isHost, JailDatasets? attached)
    {
        if (isHost)
            return Visibility.Writable;
        if (attached is null || name.Length == 0)
            return Visibility.None;
        if (attached.Names.Any(a => DatasetName.IsSelfOrBelow(name, a)))
            return Visibility.Writable;
        if (attached.Names.Any(a => a.Length > name.Length && a.StartsWith(name, StringComparison.Ordinal) && a[name.Length] == '/'))
            return Visibility.ReadOnly;
        return Visibility.None;
    }
}
