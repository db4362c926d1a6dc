namespace Prison.Plugins.ZfsDataset;

/// <summary>
/// The zfs service's slot value: the datasets attached to one jail, by name, in attach order (OpenZFS
/// keeps the same list in <c>spl_zone.c</c>). Names, not objects: a dataset renamed or destroyed on the
/// host leaves its old name here, as in FreeBSD. Guarded by the module lock.
/// </summary>
internal sealed class JailDatasets
{
    /// <summary>The attached names.</summary>
    public List<string> Names { get; } = [];

    /// <summary>Set by the service's destroy: the jail is gone and nothing may be attached any more.</summary>
    public bool Dead { get; set; }
}
