namespace Prison.Core.Jails;

/// <summary>Builds the <c>allow.*</c> flag sets a jail publishes (see <see cref="Jail.Allow"/>).</summary>
internal static class AllowSetExtensions
{
    /// <summary>
    /// A new set of allow flags. A published set is never changed (a change publishes a new one), so
    /// readers need no lock. A plain HashSet: jails are created often, and FrozenSet's construction
    /// costs more than its faster lookups save on a handful of flags.
    /// </summary>
    public static IReadOnlySet<string> ToAllowSet(this IEnumerable<string> items) => new HashSet<string>(items, StringComparer.Ordinal);
}
