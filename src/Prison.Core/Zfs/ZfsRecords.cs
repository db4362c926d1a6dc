namespace Prison.Core.Zfs;

/// <summary>One row of <c>zfs list</c>: a dataset and the values of the requested properties, in order.</summary>
/// <param name="Name">The dataset name (<c>tank/pg1</c>, <c>tank/pg1@s1</c>).</param>
/// <param name="Values">Property name to value, in the order requested (values as <c>zfs list -p</c> prints them).</param>
public sealed record ZfsListRow(string Name, IReadOnlyList<KeyValuePair<string, string>> Values)
{
    /// <summary>The value of <paramref name="property"/> in this row, or null when it was not requested.</summary>
    public string? this[string property] => Values.FirstOrDefault(v => v.Key == property).Value;
}

/// <summary>One row of <c>zfs get</c>.</summary>
/// <param name="Name">The dataset.</param>
/// <param name="Property">The property.</param>
/// <param name="Value">Its value (sizes in bytes, as <c>zfs get -p</c>).</param>
/// <param name="Source"><c>local</c>, <c>default</c>, <c>inherited from NAME</c> or <c>-</c>.</param>
public sealed record ZfsProperty(string Name, string Property, string Value, string Source);
