namespace Prison.Core.Jails;

/// <summary>
/// One kernel reference on a jail (<see cref="Jails.Jail"/>), taken with <see cref="Jail.TryHold(out JailReference?)"/>
/// (FreeBSD's <c>prison_hold</c> on a prison found by <c>prison_find</c>) and given back exactly once by
/// <see cref="Dispose"/> (FreeBSD's <c>prison_free</c>). This is the only public way to hold a jail: the raw
/// reference count is not part of the KPI, so a module can neither raise the references of a jail that is
/// being freed nor give back a reference it does not own.
/// </summary>
/// <remarks>
/// <para>A module that keeps a jail alive for the life of an object (a System V set, queue or segment
/// holding its creator jail, as FreeBSD's objects hold their creator's <c>ucred</c>) stores the handle in
/// the object once, at creation, and disposes it when the object is freed: no allocation per syscall.</para>
/// <para>Thread safety: <see cref="Dispose"/> may race with itself; one call gives the reference back and
/// every other call, concurrent or later, does nothing. A double release through the handle is therefore
/// impossible.</para>
/// <para>The last reference frees the jail on the disposing thread: the services' <c>destroy</c>
/// callbacks run there, so never dispose a handle while holding a lock that a callback may take (a
/// module's own lock, for instance: collect the handles under the lock and dispose them after it).</para>
/// </remarks>
public sealed class JailReference : IDisposable
{
    // The jail while the reference is held; null once it was given back. Swapped atomically so that
    // exactly one Dispose releases.
    private Jail? _held;

    internal JailReference(Jail jail)
    {
        Jail = jail;
        _held = jail;
    }

    /// <summary>
    /// The jail this handle refers to. It stays readable after <see cref="Dispose"/> (for logging or an
    /// identity comparison), but the jail is only guaranteed not to be freed while the handle is held.
    /// </summary>
    public Jail Jail { get; }

    /// <summary>True once the reference was given back.</summary>
    public bool IsReleased => Volatile.Read(ref _held) is null;

    /// <summary>
    /// Gives the reference back. The first call drops exactly one kernel reference (the last one frees the
    /// jail: its services' <c>destroy</c> callbacks run on this thread); every later call does nothing.
    /// Never throws for a second call.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _held, null) is { } jail)
            jail.Release();
    }

    /// <inheritdoc />
    public override string ToString() => IsReleased ? $"released reference on {Jail}" : $"reference on {Jail}";
}
