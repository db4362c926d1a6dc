using System.Globalization;

namespace Prison.Reliability.Tests;

/// <summary>
/// How long a stress run goes: a wall-clock bound and an operation bound per thread, whichever comes
/// first. <c>PRISON_STRESS_LONG=1</c> selects the long mode (minutes, more seeds).
/// </summary>
internal sealed record StressBudget(TimeSpan Duration, int OpsPerThread, int Seeds)
{
    public static bool LongMode => Environment.GetEnvironmentVariable("PRISON_STRESS_LONG") == "1";

    public static StressBudget Current => LongMode
        ? new StressBudget(TimeSpan.FromSeconds(60), 1_000_000, 5)
        : new StressBudget(TimeSpan.FromSeconds(4), 4_000, 1);

    /// <summary>The seed to run first: <c>PRISON_STRESS_SEED</c> replays a failing run.</summary>
    public static int FirstSeed =>
        int.TryParse(Environment.GetEnvironmentVariable("PRISON_STRESS_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) ? s : 20250611;

    /// <summary>Bounds every join: a thread that has not returned by then is stuck.</summary>
    public static readonly TimeSpan JoinBound = TimeSpan.FromSeconds(60);
}
