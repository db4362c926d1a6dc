namespace Prison.Core.Rctl;

/// <summary>
/// One jail's racct counters: how much of each resource the jail and its descendants use. Counters are
/// changed with <see cref="Interlocked"/> and read with volatile loads; no lock (the charge path for a
/// resource without rules must stay cheap).
/// </summary>
internal sealed class JailUsage
{
    private readonly long[] _counters = new long[RacctResources.Count];

    public long Get(RacctResource resource) => Volatile.Read(ref _counters[(int)resource]);

    /// <summary>Adds <paramref name="delta"/> (negative to release) and returns the new value.</summary>
    public long Add(RacctResource resource, long delta) => Interlocked.Add(ref _counters[(int)resource], delta);

    /// <summary>True when every counter is zero.</summary>
    public bool IsZero
    {
        get
        {
            for (var i = 0; i < _counters.Length; i++)
            {
                if (Volatile.Read(ref _counters[i]) != 0)
                    return false;
            }
            return true;
        }
    }

    /// <summary>The non-zero counters as <c>name=value</c> (for the log line of a leak).</summary>
    public string Describe() => string.Join(' ', RacctResources.All
        .Where(r => Get(r) != 0)
        .Select(r => r.Name() + "=" + Get(r).ToString(System.Globalization.CultureInfo.InvariantCulture)));
}
