using System.Globalization;

namespace Prison.Testing;

/// <summary>
/// A clock that moves only when the test says so, for kernels whose snapshots must be identical on every
/// run: <c>new Kernel(new KernelOptions { Time = new ManualTimeProvider() })</c>, then
/// <see cref="Advance"/> between steps so each step's IPC times differ. The time zone is UTC.
/// </summary>
/// <remarks>
/// Only the wall clock (<see cref="GetUtcNow"/>) is manual; timestamps and timers are the base class's
/// real ones (the kernel reads nothing but the wall clock). Thread-safe.
/// </remarks>
public sealed class ManualTimeProvider : TimeProvider
{
    /// <summary>Where a new clock starts: 2024-01-01 00:00:00 UTC.</summary>
    public static readonly DateTimeOffset DefaultStart = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    // Protects _now: tests may advance the clock while kernel threads read it.
    private readonly Lock _lock = new();
    private DateTimeOffset _now;

    /// <summary>A clock at <see cref="DefaultStart"/>.</summary>
    public ManualTimeProvider()
        : this(DefaultStart)
    {
    }

    /// <summary>A clock at <paramref name="start"/>.</summary>
    public ManualTimeProvider(DateTimeOffset start) => _now = start.ToUniversalTime();

    /// <inheritdoc />
    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow()
    {
        lock (_lock)
            return _now;
    }

    /// <summary>Sets the time; it may not go backwards (IPC times would then be out of order).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is before the current time.</exception>
    public void SetUtcNow(DateTimeOffset value)
    {
        lock (_lock)
        {
            if (value < _now)
                throw new ArgumentOutOfRangeException(nameof(value), value, $"the clock may not go back from {_now:O}");
            _now = value.ToUniversalTime();
        }
    }

    /// <summary>Moves the clock forward by <paramref name="delta"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="delta"/> is negative.</exception>
    public void Advance(TimeSpan delta)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delta, TimeSpan.Zero);
        lock (_lock)
            _now += delta;
    }

    /// <inheritdoc />
    public override string ToString() => GetUtcNow().ToString("O", CultureInfo.InvariantCulture);
}
