using System.Globalization;

namespace Prison.Benchmarks.Infrastructure;

/// <summary>
/// The jail counts of the scaling benchmarks, capped by the environment variable
/// <c>PRISON_BENCH_MAX_JAILS</c>: creating 100,000 jails takes minutes today (jail creation scans every
/// jail for a duplicate name, so building the set is quadratic), which a quick run may not afford.
/// </summary>
internal static class JailCounts
{
    public static IEnumerable<int> UpTo(params int[] counts)
    {
        var cap = int.TryParse(Environment.GetEnvironmentVariable("PRISON_BENCH_MAX_JAILS"), NumberStyles.None, CultureInfo.InvariantCulture, out var c) ? c : int.MaxValue;
        var kept = counts.Where(n => n <= cap).ToList();
        return kept.Count > 0 ? kept : [Math.Min(cap, counts.Min())];
    }
}
