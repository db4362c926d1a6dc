using System.Globalization;

namespace Prison.Tests.Shared;

/// <summary>
/// The budget of the extra stress seeds: one seed in a normal run; with <c>PRISON_STRESS_LONG=1</c>, seed
/// after seed for <c>PRISON_STRESS_MINUTES</c> minutes (default 10). The first seed is
/// <c>PRISON_STRESS_SEED</c>, else taken from the clock; every seed is printed before it runs.
/// </summary>
internal static class StressRun
{
    public static bool LongMode => Environment.GetEnvironmentVariable("PRISON_STRESS_LONG") == "1";

    public static int FirstSeed =>
        int.TryParse(Environment.GetEnvironmentVariable("PRISON_STRESS_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var s)
            ? s
            : Environment.TickCount & 0x7fffffff;

    public static TimeSpan Duration =>
        !LongMode ? TimeSpan.Zero
        : int.TryParse(Environment.GetEnvironmentVariable("PRISON_STRESS_MINUTES"), NumberStyles.None, CultureInfo.InvariantCulture, out var m)
            ? TimeSpan.FromMinutes(m)
            : TimeSpan.FromMinutes(10);

    /// <summary>Runs <paramref name="body"/> on seed after seed (at least one) until the budget is spent.</summary>
    public static int Seeds(Action<string> log, Action<int> body)
    {
        var deadline = DateTime.UtcNow + Duration;
        var seed = FirstSeed;
        var runs = 0;
        do
        {
            log($"seed {seed}");
            try
            {
                body(seed);
            }
            catch (Exception e)
            {
                throw new Xunit.Sdk.XunitException($"seed {seed} (replay with PRISON_STRESS_SEED={seed}): {e.Message}");
            }
            runs++;
            seed = unchecked(seed + 1) & 0x7fffffff;
        }
        while (DateTime.UtcNow < deadline);
        log($"{runs} seeds passed");
        return runs;
    }
}
