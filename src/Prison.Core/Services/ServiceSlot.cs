using Prison.Core.Jails;

namespace Prison.Core.Services;

/// <summary>
/// A registered service's handle to its slot in every jail (the jail services proposal's
/// <c>prison_service_data_get/set/del</c>). Reads are lock-free: one volatile load and an array index.
/// </summary>
/// <typeparam name="T">The per-jail state type.</typeparam>
public sealed class ServiceSlot<T> : IServiceSlot where T : class
{
    private readonly ServiceRegistry _registry;

    internal ServiceSlot(ServiceRegistry registry, int index, JailServiceDefinition<T> definition)
    {
        _registry = registry;
        Index = index;
        Definition = definition;
    }

    /// <summary>The slot index (reused after deregistration; shrinks only when the last is freed).</summary>
    public int Index { get; }

    /// <summary>The service name.</summary>
    public string Name => Definition.Name;

    /// <summary>The definition the service registered with.</summary>
    public JailServiceDefinition<T> Definition { get; }

    /// <summary>True until <see cref="Deregister"/> completes (false from the moment its destroys are done).</summary>
    public bool IsRegistered
    {
        get => _registered;
        internal set => _registered = value;
    }

    private volatile bool _registered = true;

    /// <summary>
    /// The service's value for <paramref name="jail"/>, or null; null for a stale handle (the service was
    /// deregistered, and its slot index may now belong to another service). Lock-free.
    /// </summary>
    public T? Get(Jail jail)
    {
        var value = jail.ReadSlot(Index);
        // Checked after the read (both volatile): a value another service stored in a reused slot was
        // written after this handle was marked deregistered, so reading it implies seeing the mark.
        return _registered ? value as T : null;
    }

    /// <summary>Stores the service's value for <paramref name="jail"/>.</summary>
    /// <exception cref="InvalidOperationException">The service is deregistered (a stale handle).</exception>
    public void Set(Jail jail, T? value)
    {
        if (!jail.WriteSlotIf(Index, value, this))
            throw new InvalidOperationException($"service {Name} is not registered");
    }

    /// <summary>Clears the service's value for <paramref name="jail"/> (destroy still runs).</summary>
    /// <exception cref="InvalidOperationException">The service is deregistered (a stale handle).</exception>
    public void Delete(Jail jail)
    {
        if (!jail.WriteSlotIf(Index, null, this))
            throw new InvalidOperationException($"service {Name} is not registered");
    }

    /// <summary>
    /// Deregisters the service: <c>destroy</c> runs for every jail whose <c>create</c> succeeded, the
    /// service's parameters disappear, and the slot is freed. Idempotent.
    /// </summary>
    /// <exception cref="InvalidOperationException">
    /// The service was registered by a module (<c>ModuleContext.RegisterService</c>): its registrar
    /// deregisters it at unload, in the loader's order, and nobody else may.
    /// </exception>
    public void Deregister()
    {
        if (Registrar is { } module)
            throw new InvalidOperationException($"service {Name} belongs to module {module}: it is deregistered when the module unloads");
        _registry.Deregister(this);
    }

    /// <summary>The module whose registrar registered the service (and alone deregisters it), or null for a raw registration.</summary>
    internal string? Registrar { get; set; }

    // --- the untyped view the registry drives --------------------------------------------

    object? IServiceSlot.CreateFor(Jail jail, JailParams? creationParams) =>
        Definition.Create is { } create ? create(jail, creationParams) : null;

    void IServiceSlot.DestroyFor(Jail jail) => Definition.Destroy?.Invoke(jail, Get(jail));

    Errno IServiceSlot.Invoke(JailMethodKind kind, Jail jail, JailParams parameters, Procs.Ucred? caller, Procs.Proc? process)
    {
        var method = kind switch
        {
            JailMethodKind.Check => Definition.Check,
            JailMethodKind.Set => Definition.Set,
            JailMethodKind.Get => Definition.Get,
            JailMethodKind.Attach => Definition.Attach,
            JailMethodKind.Remove => Definition.Remove,
            _ => null,
        };
        return method is null ? Errno.OK : method(new JailMethodArgs<T>(jail, this, parameters, caller, process));
    }

    IReadOnlyList<JailParameter> IServiceSlot.Parameters => Definition.Parameters;

    void IServiceSlot.MarkDeregistered() => IsRegistered = false;
}

/// <summary>Which osd(9) method.</summary>
internal enum JailMethodKind
{
    Check,
    Set,
    Get,
    Attach,
    Remove,
}

/// <summary>The registry's type-erased view of a slot.</summary>
public interface IServiceSlot
{
    /// <summary>The slot index.</summary>
    int Index { get; }

    /// <summary>The service name.</summary>
    string Name { get; }

    /// <summary>True while registered.</summary>
    bool IsRegistered { get; }

    /// <summary>Deregisters the service.</summary>
    void Deregister();

    internal IReadOnlyList<JailParameter> Parameters { get; }

    internal void MarkDeregistered();

    internal object? CreateFor(Jail jail, JailParams? creationParams);

    internal void DestroyFor(Jail jail);

    internal Errno Invoke(JailMethodKind kind, Jail jail, JailParams parameters, Procs.Ucred? caller, Procs.Proc? process);
}
