using Prison.Core.Jails;
using Prison.Core.Procs;

namespace Prison.Core.Services;

/// <summary>
/// The <c>create</c> callback: makes the service's state for <paramref name="jail"/> and returns it;
/// the returned value is stored in the service's slot (null stores nothing).
/// </summary>
/// <param name="jail">The jail. During jail creation it is not yet visible to lookups.</param>
/// <param name="creationParams">
/// The parameters of the <c>jail_set</c> that is creating the jail, or null when the service is being
/// registered and the jail already existed.
/// </param>
/// <returns>The slot value.</returns>
/// <remarks>
/// Throwing fails the operation: registration unwinds (destroy for every jail already created) and
/// jail creation is refused with the thrown <see cref="KernelErrorException.Error"/> (EDOOFUS for any
/// other exception). It runs under the services lock: shared when a jail is created, exclusive when the
/// service registers. A callback may read slots, look up jails and take its module's own locks; it must
/// not register or deregister services or load or unload modules (those take the services lock
/// exclusively, and a holder cannot upgrade), nor create or remove jails (those take the jail_set lock,
/// which comes before the services lock). The lock key is docs/locking.md.
/// </remarks>
public delegate T? ServiceCreate<T>(Jail jail, JailParams? creationParams) where T : class;

/// <summary>
/// The <c>destroy</c> callback: releases the service's state for <paramref name="jail"/>. Called exactly
/// once for every successful <c>create</c>, when the jail is freed or the service deregisters,
/// whichever comes first; never concurrently with <c>create</c> for the same jail, never twice.
/// </summary>
/// <param name="jail">The jail (dying or being freed, or alive when the service deregisters).</param>
/// <param name="data">The slot's value at that moment.</param>
/// <remarks>An exception is logged and does not stop the other services' teardown.</remarks>
public delegate void ServiceDestroy<T>(Jail jail, T? data) where T : class;

/// <summary>An osd(9)-style method (check, set, get, attach, remove).</summary>
/// <returns><see cref="Errno.OK"/> to go on; any error stops the operation (methods run in slot order).</returns>
public delegate Errno JailMethod<T>(in JailMethodArgs<T> args) where T : class;

/// <summary>What a method is called with.</summary>
/// <typeparam name="T">The service's slot type.</typeparam>
public readonly struct JailMethodArgs<T> where T : class
{
    internal JailMethodArgs(Jail jail, ServiceSlot<T> slot, JailParams parameters, Ucred? caller, Proc? process)
    {
        Jail = jail;
        Slot = slot;
        Params = parameters;
        Caller = caller;
        Process = process;
    }

    /// <summary>The jail the operation is about.</summary>
    public Jail Jail { get; }

    /// <summary>The service's own slot handle.</summary>
    public ServiceSlot<T> Slot { get; }

    /// <summary>The slot value (null before <c>create</c>, which runs after <c>check</c>).</summary>
    public T? Data => Slot.Get(Jail);

    /// <summary>
    /// The parameters: read them in <c>check</c> and <c>set</c>; in <c>get</c>, set the values of the
    /// requested names the service owns. Empty for <c>attach</c> and <c>remove</c>.
    /// </summary>
    public JailParams Params { get; }

    /// <summary>The credential of the calling process, when there is one.</summary>
    public Ucred? Caller { get; }

    /// <summary>For <c>attach</c>: the process joining the jail.</summary>
    public Proc? Process { get; }

    /// <summary>Records a message for the caller (FreeBSD's <c>vfs_opterror</c>); use with a returned error.</summary>
    public string? ErrorMessage
    {
        get => Params["errmsg"];
        set => Params["errmsg"] = value;
    }
}

/// <summary>
/// A jail service: a name, <c>create</c> / <c>destroy</c> callbacks and the optional osd(9) methods.
/// Register it with <see cref="ServiceRegistry.Register{T}"/> (or a module's registrar).
/// </summary>
/// <typeparam name="T">The per-jail state kept in the slot.</typeparam>
public sealed class JailServiceDefinition<T> where T : class
{
    /// <summary>The service name (unique); also the logging category suffix.</summary>
    public required string Name { get; init; }

    /// <summary>Runs for every jail alive at registration and every jail created later.</summary>
    public ServiceCreate<T>? Create { get; init; }

    /// <summary>Runs once per successful create, at jail free or deregistration.</summary>
    public ServiceDestroy<T>? Destroy { get; init; }

    /// <summary>Validates parameters before anything is committed; an error vetoes <c>jail_set</c>.</summary>
    public JailMethod<T>? Check { get; init; }

    /// <summary>Applies parameters (after create, when creating; alone, when updating).</summary>
    public JailMethod<T>? Set { get; init; }

    /// <summary>Reports the service's parameters for <c>jail_get</c>.</summary>
    public JailMethod<T>? Get { get; init; }

    /// <summary>May veto a process joining the jail.</summary>
    public JailMethod<T>? Attach { get; init; }

    /// <summary>Runs when the jail starts dying: clean up objects, wake sleepers.</summary>
    public JailMethod<T>? Remove { get; init; }

    /// <summary>The jail parameters the service owns (registered with it, removed with it).</summary>
    public IReadOnlyList<JailParameterDefinition> Parameters { get; init; } = [];
}
