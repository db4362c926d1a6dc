using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Prison.Core.Jails;
using Prison.Core.Procs;
using Prison.Core.Threading;

namespace Prison.Core.Services;

/// <summary>
/// The jail services KPI (FreeBSD's <c>prison_service_register</c>, grown into osd(9)): dynamic
/// per-jail slots with create/destroy callbacks and osd-style methods.
/// </summary>
/// <remarks>
/// <para>Guarantees, for every (jail, service) pair: <c>create</c> at most once; <c>destroy</c> exactly
/// once iff <c>create</c> succeeded; nothing after <c>destroy</c>. <c>create</c> runs for every jail alive
/// at registration and for every jail created later. Registration and jail creation are all or nothing.</para>
/// <para>Locking (Linux's pernet rwsem): <see cref="ServicesLock"/> is taken exclusively by register and
/// deregister, and shared by jail creation, jail removal and jail free, so a registration can neither
/// miss a jail nor call <c>create</c> twice. Slot reads take no lock at all. The lock order and what a
/// callback may do under this lock are in the lock key, docs/locking.md; the internal callers below
/// assert that they hold it.</para>
/// </remarks>
public sealed class ServiceRegistry
{
    private readonly Kernel _kernel;
    private readonly ILogger _log;
    private readonly List<IServiceSlot?> _slots = [];

    internal ServiceRegistry(Kernel kernel)
    {
        _kernel = kernel;
        _log = kernel.LoggerFactory.CreateLogger("Prison.Kpi");
    }

    /// <summary>Register/deregister exclusive; jail create/remove/free shared. Recursion lets a destroy
    /// callback release another jail's last reference.</summary>
    internal ReaderWriterLockSlim ServicesLock { get; } = new(LockRecursionPolicy.SupportsRecursion);

    /// <summary>True when the calling thread holds the services lock, shared or exclusive (for debug assertions).</summary>
    internal bool IsServicesLockHeld => ServicesLock.IsReadLockHeld || ServicesLock.IsWriteLockHeld;

    /// <summary>The length of the slot table (freed slots in the middle included).</summary>
    public int SlotTableLength
    {
        get
        {
            using (ServicesLock.EnterReadScope())
            {
                return _slots.Count;
            }
        }
    }

    /// <summary>The registered services in slot order.</summary>
    public IReadOnlyList<IServiceSlot> Registered
    {
        get
        {
            using (ServicesLock.EnterReadScope())
            {
                return _slots.OfType<IServiceSlot>().ToArray();
            }
        }
    }

    /// <summary>
    /// Registers a service: allocates a slot (the lowest free one), registers its parameters and runs
    /// <c>create</c> for every jail alive now, prison0 first, in jid order.
    /// </summary>
    /// <exception cref="KernelErrorException">
    /// EEXIST when the name or one of its parameters is taken; the create callback's error (EDOOFUS for
    /// a plain exception) when <c>create</c> failed for a jail, after <c>destroy</c> ran for every jail
    /// already created, in reverse. Nothing stays registered.
    /// </exception>
    public ServiceSlot<T> Register<T>(JailServiceDefinition<T> definition) where T : class
    {
        ArgumentNullException.ThrowIfNull(definition);
        if (string.IsNullOrWhiteSpace(definition.Name))
            throw new KernelErrorException(Errno.EINVAL, "a service needs a name");
        using (ServicesLock.EnterWriteScope())
        {
            if (_slots.Any(s => s?.Name == definition.Name))
                throw new KernelErrorException(Errno.EEXIST, $"service {definition.Name} is already registered");
            foreach (var p in definition.Parameters)
            {
                if (_kernel.Jails.Parameters.Find(p.Name) is not null)
                    throw new KernelErrorException(Errno.EEXIST, $"parameter {p.Name} is already registered");
            }

            var index = _slots.IndexOf(null);
            if (index < 0)
            {
                index = _slots.Count;
                _slots.Add(null);
            }
            var slot = new ServiceSlot<T>(this, index, definition);
            _slots[index] = slot;
            try
            {
                CreateForExistingJails(slot);
            }
            catch
            {
                FreeIndex(index);
                slot.IsRegistered = false;
                throw;
            }
            foreach (var p in definition.Parameters)
                _kernel.Jails.Parameters.Add(p with { Owner = definition.Name });
            _log.LogDebug("service {Service} registered in slot {Slot}", definition.Name, index);
            return slot;
        }
    }

    /// <summary>Deregisters <paramref name="slot"/>; see <see cref="ServiceSlot{T}.Deregister"/>.</summary>
    internal void Deregister(IServiceSlot slot)
    {
        using (ServicesLock.EnterWriteScope())
        {
            if (!slot.IsRegistered || !ReferenceEquals(_slots.ElementAtOrDefault(slot.Index), slot))
                return;
            Debug.Assert(ServicesLock.IsWriteLockHeld, "Jail.TryBeginDestroyExclusive relies on the exclusive services lock");
            // The table length once this slot is free: the jails' arrays are trimmed to it in the clearing pass.
            var tableLength = TableLengthWithout(slot.Index);
            using var copy = _kernel.Jails.ListAllPooled();
            // Newest jails first: children go before the parents they may depend on.
            var jails = copy.Jails;
            for (var i = jails.Length - 1; i >= 0; i--)
            {
                if (jails[i].TryBeginDestroyExclusive(slot.Index))
                    RunDestroy(slot, jails[i]);
            }
            foreach (var p in slot.Parameters)
                _kernel.Jails.Parameters.Remove(p.Name);
            // Marked before the slots are cleared: from here the handle's Set and Delete refuse (under each
            // jail's mutex, as the clearing below), so nothing it writes can outlive into a reused slot.
            slot.MarkDeregistered();
            foreach (var jail in jails)
                jail.ResetSlot(slot.Index, tableLength);
            FreeIndex(slot.Index);
            _log.LogDebug("service {Service} deregistered from slot {Slot}", slot.Name, slot.Index);
        }
    }

    // --- called by the jail table, under the services lock held shared -----------------

    /// <summary>Runs <c>create</c> of every service for a jail being created; unwinds on failure.</summary>
    internal SysResult<int> CreateAll(Jail jail, JailParams parameters)
    {
        Debug.Assert(IsServicesLockHeld, "CreateAll runs under the services lock (docs/locking.md)");
        var done = new List<IServiceSlot>();
        foreach (var slot in CopySlots())
        {
            try
            {
                jail.SetCreated(slot.Index, slot.CreateFor(jail, parameters));
                done.Add(slot);
                if (_log.IsEnabled(LogLevel.Debug))
                    _log.LogDebug("create {Service} for jail {Jid}", slot.Name, jail.Id);
            }
            catch (Exception ex)
            {
                _log.LogWarning(ex, "create {Service} failed for new jail {Jid}; unwinding {Count} services", slot.Name, jail.Id, done.Count);
                Unwind(jail, done);
                return Failure(ex, slot);
            }
        }
        return SysResult<int>.Success(done.Count);
    }

    /// <summary>Runs one method of every service in slot order; the first error stops.</summary>
    internal SysResult<int> RunMethod(JailMethodKind kind, Jail jail, JailParams parameters, Ucred? caller, Proc? process = null)
    {
        Debug.Assert(IsServicesLockHeld, "RunMethod runs under the services lock (docs/locking.md)");
        foreach (var slot in CopySlots())
        {
            if (kind != JailMethodKind.Check && jail.State != JailState.Creating && jail.GetSlotState(slot.Index) != SlotState.Created)
                continue;
            Errno error;
            try
            {
                error = slot.Invoke(kind, jail, parameters, caller, process);
            }
            catch (Exception ex)
            {
                _log.LogError(ex, "{Method} method of {Service} threw for jail {Jid}", kind, slot.Name, jail.Id);
                return Failure(ex, slot);
            }
            if (error != Errno.OK)
            {
                var message = parameters["errmsg"];
                parameters.Remove("errmsg");
                return SysResult<int>.Fail(error, message);
            }
        }
        return SysResult<int>.Success(0);
    }

    /// <summary>Unwinds every service created for a jail whose creation failed, in reverse order.</summary>
    internal void UnwindAll(Jail jail)
    {
        Debug.Assert(IsServicesLockHeld, "UnwindAll runs under the services lock (docs/locking.md)");
        Unwind(jail, CopySlots().Where(s => jail.GetSlotState(s.Index) == SlotState.Created).ToList());
    }

    /// <summary>The jail started dying: <c>remove</c> methods, errors logged and ignored.</summary>
    internal void RemoveAll(Jail jail)
    {
        Debug.Assert(IsServicesLockHeld, "RemoveAll runs under the services lock (docs/locking.md)");
        foreach (var slot in CopySlots())
        {
            if (jail.GetSlotState(slot.Index) != SlotState.Created)
                continue;
            try
            {
                var error = slot.Invoke(JailMethodKind.Remove, jail, new JailParams(), null, null);
                if (error != Errno.OK)
                    _log.LogWarning("remove method of {Service} returned {Errno} for jail {Jid}", slot.Name, error, jail.Id);
            }
            catch (Exception ex)
            {
                _log.LogError(ex, "remove method of {Service} threw for jail {Jid}", slot.Name, jail.Id);
            }
            if (_log.IsEnabled(LogLevel.Debug))
                _log.LogDebug("remove {Service} for jail {Jid}", slot.Name, jail.Id);
        }
    }

    /// <summary>The jail's last reference went: <c>destroy</c> for every created service, in reverse.</summary>
    internal void DestroyAll(Jail jail)
    {
        Debug.Assert(IsServicesLockHeld, "DestroyAll runs under the services lock (docs/locking.md)");
        foreach (var slot in CopySlots().Reverse())
        {
            if (jail.GetSlotState(slot.Index) == SlotState.Created)
                DestroyOne(slot, jail);
        }
        jail.TrimSlots(0);
    }

    private void CreateForExistingJails(IServiceSlot slot)
    {
        Debug.Assert(ServicesLock.IsWriteLockHeld, "registration holds the services lock exclusively (Jail.SetCreatedExclusive relies on it)");
        // Every (jail, slot.Index) pair is None here (deregistration resets them), so Created marks
        // exactly the jails done so far: the unwind needs no list of its own.
        var debug = _log.IsEnabled(LogLevel.Debug);
        using var copy = _kernel.Jails.ListAllPooled();
        var jails = copy.Jails;
        for (var k = 0; k < jails.Length; k++)
        {
            var jail = jails[k];
            if (jail.State != JailState.Alive)
                continue;
            try
            {
                jail.SetCreatedExclusive(slot.Index, slot.CreateFor(jail, null));
                // Checked once: the structured call boxes its arguments even when Debug is off.
                if (debug)
                    _log.LogDebug("create {Service} for existing jail {Jid}", slot.Name, jail.Id);
            }
            catch (Exception ex)
            {
                _log.LogWarning(ex, "create {Service} failed for jail {Jid}; unwinding registration over the jails before it", slot.Name, jail.Id);
                // Whatever the failed create stored through the handle goes too; the arrays are trimmed to
                // the table as it will be without this slot (none at all when it was the only service).
                var tableLength = TableLengthWithout(slot.Index);
                jail.ResetSlot(slot.Index, tableLength);
                for (var i = k - 1; i >= 0; i--)
                {
                    if (jails[i].TryBeginDestroy(slot.Index))
                        RunDestroy(slot, jails[i]);
                    jails[i].ResetSlot(slot.Index, tableLength);
                }
                var failure = Failure(ex, slot);
                throw new KernelErrorException(failure.Error, failure.Message ?? "create failed");
            }
        }
    }

    private void Unwind(Jail jail, List<IServiceSlot> created)
    {
        Debug.Assert(IsServicesLockHeld, "Unwind runs under the services lock (docs/locking.md)");
        for (var i = created.Count - 1; i >= 0; i--)
        {
            DestroyOne(created[i], jail);
            _log.LogDebug("unwind {Service} for jail {Jid}", created[i].Name, jail.Id);
        }
    }

    private void DestroyOne(IServiceSlot slot, Jail jail)
    {
        Debug.Assert(IsServicesLockHeld, "DestroyOne runs under the services lock (docs/locking.md)");
        // Marked first: whatever destroy does, it never runs twice for this pair.
        if (jail.TryBeginDestroy(slot.Index))
            RunDestroy(slot, jail);
    }

    /// <summary>Runs destroy for a pair already marked destroyed, then clears its value.</summary>
    private void RunDestroy(IServiceSlot slot, Jail jail)
    {
        try
        {
            slot.DestroyFor(jail);
            if (_log.IsEnabled(LogLevel.Debug))
                _log.LogDebug("destroy {Service} for jail {Jid}", slot.Name, jail.Id);
        }
        catch (Exception ex)
        {
            _log.LogError(ex, "destroy {Service} threw for jail {Jid}; teardown goes on", slot.Name, jail.Id);
        }
        jail.ClearSlotValue(slot.Index);
    }

    private IServiceSlot[] CopySlots()
    {
        Debug.Assert(IsServicesLockHeld, "CopySlots runs under the services lock (docs/locking.md)");
        // Called with the services lock held (shared or exclusive): the table cannot change under us.
        return _slots.OfType<IServiceSlot>().ToArray();
    }

    /// <summary>The table's length once <paramref name="index"/> is freed: it shrinks only when the last slot goes.</summary>
    private int TableLengthWithout(int index)
    {
        if (index != _slots.Count - 1)
            return _slots.Count;
        var length = index;
        while (length > 0 && _slots[length - 1] is null)
            length--;
        return length;
    }

    /// <summary>Frees a slot index; the caller has trimmed every jail's array to <see cref="TableLengthWithout"/>.</summary>
    private void FreeIndex(int index)
    {
        Debug.Assert(ServicesLock.IsWriteLockHeld, "FreeIndex runs under the services lock held exclusively (docs/locking.md)");
        var length = TableLengthWithout(index);
        _slots[index] = null;
        // Shrink only when the last slot is freed (the jail services proposal), and then drop every trailing hole.
        _slots.RemoveRange(length, _slots.Count - length);
    }

    private static SysResult<int> Failure(Exception ex, IServiceSlot slot) => SysResult<int>.FromException(ex, slot.Name);
}
