using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using Prison.Core.Services;

namespace Prison.Core.Jails;

/// <summary>
/// A jail: FreeBSD's <c>struct prison</c>. Jid 0 is prison0, the host. Jails form a tree; each
/// holds the per-service slots of the jail services KPI.
/// </summary>
/// <remarks>
/// <para>Locking: <see cref="Mutex"/> (FreeBSD's <c>pr_mtx</c>) protects the parameters, the user
/// reference count together with the alive -> dying transition (a process attaches, and the last user
/// reference is dropped, under it) and writes to the slot array (each entry is a service's value and its
/// KPI state), with one exception: a registration or deregistration, which holds the services lock
/// exclusively, sets the state (and a new slot's first value) of an entry that needs no growth without
/// it (see <see cref="SetCreatedExclusive"/>). KPI states change only under the services lock. Slot
/// <em>reads</em> take no lock: the slot array is published by reference and replaced when it grows or
/// shrinks; it grows in powers of two, so registering a service rarely reallocates it.</para>
/// <para>References: kernel references (<see cref="References"/>) are atomic. A jail whose count reached
/// 0 is being freed and can never be held again: a reference on a jail found by a lookup is taken with
/// <see cref="TryHold(out JailReference?)"/> only, which refuses it and returns a <see cref="JailReference"/>
/// that gives the reference back exactly once. The raw count (hold, release) is not public.
/// Lookups do not return such a jail.</para>
/// </remarks>
public sealed class Jail
{
    /// <summary>The jid of prison0.</summary>
    public const int HostJid = 0;

    /// <summary>The largest jid (FreeBSD's JAIL_MAX).</summary>
    public const int MaxJid = 999_999;

    internal readonly Lock Mutex = new();
    private SlotEntry[] _slots = [];
    private int _id;
    private string _name;
    private int _refs;
    private int _urefs;
    private int _freed;
    private volatile JailState _state;

    internal Jail(int id, string name, Jail? parent, JailState state)
    {
        Id = id;
        _name = name;
        Parent = parent;
        _state = state;
        Depth = parent is null ? 0 : parent.Depth + 1;
        HostName = parent?.HostName ?? "prison.local";
        EnforceStatfs = parent is null ? 0 : 2;
        Allow = new HashSet<string>(StringComparer.Ordinal);
    }

    /// <summary>
    /// The jail id; 0 for the host. A dying jail is renumbered (changed under the prison-list lock) when a
    /// new jail is created with its jid, as FreeBSD does; an alive jail's id never changes.
    /// </summary>
    public int Id { get => Volatile.Read(ref _id); internal set => Volatile.Write(ref _id, value); }

    /// <summary>
    /// The full hierarchical name (<c>pg.child</c>); <c>0</c> for prison0. A jail_set update by jid may
    /// rename the jail, which renames its descendants too (changed under the prison-list lock).
    /// </summary>
    public string Name { get => Volatile.Read(ref _name); internal set => Volatile.Write(ref _name, value); }

    /// <summary>The parent jail; null only for prison0.</summary>
    public Jail? Parent { get; }

    /// <summary>Depth in the tree: 0 for prison0.</summary>
    public int Depth { get; }

    /// <summary>The current state.</summary>
    public JailState State => _state;

    /// <summary>True for prison0.</summary>
    public bool IsHost => Parent is null;

    /// <summary>True when alive (not creating, dying or dead).</summary>
    public bool IsAlive => _state == JailState.Alive;

    /// <summary><c>host.hostname</c>.</summary>
    public string HostName { get; internal set; }

    /// <summary>
    /// <c>host=inherit</c>: the jail has no host information of its own (FreeBSD's PR_HOST clear), so it
    /// follows its parent's <c>host.hostname</c>. False (<c>host=new</c>, the default) once the jail sets one.
    /// </summary>
    public bool HostInherited { get; internal set; }

    /// <summary><c>persist</c>: the jail stays alive without processes.</summary>
    public bool Persist { get; internal set; }

    /// <summary><c>children.max</c>: how many descendants may exist (0 for a new jail).</summary>
    public int ChildrenMax { get; internal set; }

    /// <summary><c>children.cur</c>: how many descendants exist (dying ones included).</summary>
    public int ChildrenCur { get; internal set; }

    /// <summary><c>enforce_statfs</c> (0, 1 or 2).</summary>
    public int EnforceStatfs { get; internal set; }

    /// <summary>The <c>allow.*</c> flags that are set, by full name (<c>allow.sysvipc</c>).</summary>
    public IReadOnlySet<string> Allow { get; internal set; }

    /// <summary>Kernel references (children, descriptors, objects that hold the jail).</summary>
    public int References => Volatile.Read(ref _refs);

    /// <summary>User references: processes, plus one for <c>persist</c>.</summary>
    public int UserReferences => Volatile.Read(ref _urefs);

    /// <summary>True when <paramref name="flag"/> (for example <c>allow.mount</c>) is set; prison0 has every flag.</summary>
    public bool IsAllowed(string flag) => IsHost || Allow.Contains(flag);

    /// <summary>True when this jail is <paramref name="other"/> or one of its ancestors.</summary>
    public bool IsSelfOrAncestorOf(Jail other)
    {
        for (var p = other; p is not null; p = p.Parent)
        {
            if (ReferenceEquals(p, this))
                return true;
        }
        return false;
    }

    /// <summary>True when this jail is a strict ancestor of <paramref name="other"/> (FreeBSD's <c>prison_ischild</c>).</summary>
    public bool IsAncestorOf(Jail other) => !ReferenceEquals(this, other) && IsSelfOrAncestorOf(other);

    /// <summary>The name as seen from <paramref name="viewer"/> (FreeBSD strips the viewer's prefix).</summary>
    public string NameRelativeTo(Jail viewer)
    {
        if (viewer.IsHost)
            return Name;
        var prefix = viewer.Name + ".";
        return Name.StartsWith(prefix, StringComparison.Ordinal) ? Name[prefix.Length..] : Name;
    }

    /// <summary>
    /// Takes a kernel reference on this jail unless it is being freed, and returns it as a handle that
    /// gives it back exactly once. This is the only public way to hold a jail found by a lookup (or
    /// reached through a credential): FreeBSD's <c>prison_find</c> returns a prison only while its
    /// <c>pr_ref</c> is above 0 and <c>prison_hold</c> then takes one more; here both happen in one atomic
    /// step, so a jail whose last reference is gone (its services' <c>destroy</c> callbacks may be
    /// running) can never be held again, and a jail that was held can only be released through the
    /// handle, once (<see cref="JailReference.Dispose"/>, FreeBSD's <c>prison_free</c>).
    /// </summary>
    /// <param name="reference">The handle when the reference was taken; null otherwise.</param>
    /// <returns>
    /// True when the reference was taken; false when the jail is being freed (0 references) or dead.
    /// Callers map false to the errno of their syscall: FreeBSD's lookups report such a jail as
    /// <c>ENOENT</c>, and a process whose jail is being freed is itself exiting (<c>EINTR</c>).
    /// </returns>
    /// <remarks>Allocates one small object; take it once per object that holds the jail (an IPC object at
    /// creation), not per syscall.</remarks>
    public bool TryHold([NotNullWhen(true)] out JailReference? reference)
    {
        reference = TryAddReference() ? new JailReference(this) : null;
        return reference is not null;
    }

    /// <inheritdoc />
    public override string ToString() => $"jail {Id} ({Name})";

    // --- kernel internals -------------------------------------------------------------

    // The raw reference count below is kernel-internal (FreeBSD's prison_hold/prison_free are not part of
    // the jail services KPI either): modules hold a jail through TryHold(out JailReference) only.

    /// <summary>
    /// Takes one more kernel reference on a jail the caller already holds a reference on (a parent under
    /// the prison-list lock, a child holding its parent; FreeBSD's <c>prison_hold</c>, which asserts
    /// <c>pr_ref &gt; 0</c>). Never for a jail found by a lookup: use <see cref="TryAddReference"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The jail has no reference left (it is being freed or dead).</exception>
    internal void Hold()
    {
        // An increment from 0 would bring a jail back from Free.
        if (!TryAddReference())
            throw new InvalidOperationException($"jail {Id} has no reference left and cannot be held");
    }

    /// <summary>
    /// Takes a raw kernel reference unless the jail is being freed (0 references) or dead: the
    /// refuse-if-freeing primitive every lookup-to-reference path of the kernel goes through. The caller
    /// gives it back with <see cref="Release"/>, exactly once.
    /// </summary>
    internal bool TryAddReference()
    {
        var refs = Volatile.Read(ref _refs);
        while (refs > 0)
        {
            var seen = Interlocked.CompareExchange(ref _refs, refs + 1, refs);
            if (seen == refs)
                return true;
            refs = seen;
        }
        return false;
    }

    /// <summary>
    /// Drops a raw kernel reference (FreeBSD's <c>prison_free</c>); the last one frees the jail (the
    /// services' <c>destroy</c> callbacks run on the calling thread, so never call it with a lock held
    /// that a callback may take). Exactly one release per reference taken.
    /// </summary>
    /// <exception cref="InvalidOperationException">More releases than references (a double release).</exception>
    internal void Release()
    {
        var left = Interlocked.Decrement(ref _refs);
        if (left == 0)
            Table?.Free(this);
        else if (left < 0)
            throw new InvalidOperationException($"jail {Id}: reference count underflow");
    }


    internal JailTable? Table { get; set; }

    /// <summary>Event subscribers through jail descriptors, and the removal signal poll(2) waits for.</summary>
    internal JailWatchers Watchers { get; } = new();

    /// <summary>The racct counters of this jail and its descendants (see <see cref="Rctl.Racct"/>).</summary>
    internal Rctl.JailUsage Usage { get; } = new();

    internal void SetState(JailState state) => _state = state;

    internal void InitReferences(int refs) => _refs = refs;

    /// <summary>True while the last reference is gone and the jail is not yet dead: <c>Free</c> runs.</summary>
    internal bool IsFreeing => Volatile.Read(ref _refs) == 0 && _state != JailState.Dead;

    /// <summary>Set once by <c>JailTable.Free</c>: a second free is a reference-count bug, never a second teardown.</summary>
    internal bool MarkFreed() => Interlocked.Exchange(ref _freed, 1) == 0;

    internal int AddUserReference() => Interlocked.Increment(ref _urefs);

    internal int DropUserReference() => Interlocked.Decrement(ref _urefs);

    /// <summary>
    /// Lock-free slot read: one volatile load of the array and one of the entry's value. A reader that
    /// loaded the array before it was replaced reads the old copy, which holds the values as they were
    /// when it was replaced (entries are only written in place under <see cref="Mutex"/>, and a grown or
    /// trimmed copy is made under it too).
    /// </summary>
    internal object? ReadSlot(int index)
    {
        var slots = Volatile.Read(ref _slots);
        return (uint)index < (uint)slots.Length ? Volatile.Read(ref slots[index].Value) : null;
    }

    /// <summary>
    /// Writes a slot for <paramref name="owner"/> only while it is registered, checked under the mutex
    /// that deregistration's clearing of the slot also takes: a stale handle can never write into a slot
    /// reused by another service.
    /// </summary>
    internal bool WriteSlotIf(int index, object? value, IServiceSlot owner)
    {
        lock (Mutex)
        {
            if (!owner.IsRegistered)
                return false;
            WriteSlotLocked(index, value);
            return true;
        }
    }

    /// <summary>Stores a created service's value and marks the pair created, under one lock.</summary>
    internal void SetCreated(int index, object? value)
    {
        lock (Mutex)
        {
            ref var entry = ref EntryLocked(index);
            if (value is not null)
                Volatile.Write(ref entry.Value, value);
            entry.State = SlotState.Created;
        }
    }

    /// <summary>
    /// <see cref="SetCreated"/> for a registration, which holds the services lock exclusively: without
    /// taking the mutex when the array has room. Safe because nothing else can then touch this entry or
    /// replace this array: slot states change only under the services lock; the new slot's handle is not
    /// yet returned (a stale handle of an earlier owner of the index is refused by <see cref="WriteSlotIf"/>);
    /// and a handle's write into another slot of an alive jail never grows its array, since every
    /// registered slot was created for it, which grew the array past that slot. Growing takes the mutex.
    /// </summary>
    internal void SetCreatedExclusive(int index, object? value)
    {
        var slots = Volatile.Read(ref _slots);
        if ((uint)index >= (uint)slots.Length)
        {
            SetCreated(index, value);
            return;
        }
        if (value is not null)
            Volatile.Write(ref slots[index].Value, value);
        slots[index].State = SlotState.Created;
    }

    /// <summary>
    /// <see cref="TryBeginDestroy"/> for a deregistration, which holds the services lock exclusively:
    /// without the mutex, since slot states change only under the services lock, and this touches the
    /// state only (the value is cleared under the mutex afterwards).
    /// </summary>
    internal bool TryBeginDestroyExclusive(int index)
    {
        var slots = Volatile.Read(ref _slots);
        if ((uint)index >= (uint)slots.Length || slots[index].State != SlotState.Created)
            return false;
        slots[index].State = SlotState.Destroyed;
        return true;
    }

    internal SlotState GetSlotState(int index)
    {
        lock (Mutex)
        {
            var slots = _slots;
            return (uint)index < (uint)slots.Length ? slots[index].State : SlotState.None;
        }
    }

    /// <summary>
    /// The first step of a destroy: a pair in the <see cref="SlotState.Created"/> state becomes
    /// <see cref="SlotState.Destroyed"/> (so destroy never runs twice for it) and true is returned; any
    /// other pair is left as it is and false is returned.
    /// </summary>
    internal bool TryBeginDestroy(int index)
    {
        lock (Mutex)
        {
            var slots = _slots;
            if ((uint)index >= (uint)slots.Length || slots[index].State != SlotState.Created)
                return false;
            slots[index].State = SlotState.Destroyed;
            return true;
        }
    }

    /// <summary>Clears a slot's value, leaving its state (a destroyed pair stays destroyed).</summary>
    internal void ClearSlotValue(int index)
    {
        lock (Mutex)
        {
            var slots = _slots;
            if ((uint)index < (uint)slots.Length)
                Volatile.Write(ref slots[index].Value, null);
        }
    }

    /// <summary>
    /// Forgets the pair entirely (value null, state <see cref="SlotState.None"/>), so the slot index can
    /// be given to another service; then trims the array to <paramref name="tableLength"/> entries when
    /// the table shrank enough (see <see cref="TrimSlotsLocked"/>).
    /// </summary>
    internal void ResetSlot(int index, int tableLength)
    {
        lock (Mutex)
        {
            var slots = _slots;
            if ((uint)index < (uint)slots.Length)
            {
                Volatile.Write(ref slots[index].Value, null);
                slots[index].State = SlotState.None;
            }
            TrimSlotsLocked(tableLength);
        }
    }

    /// <summary>Cuts the slot array to the registry's table length (the KPI's shrink-at-last).</summary>
    internal void TrimSlots(int tableLength)
    {
        lock (Mutex)
            TrimSlotsLocked(tableLength);
    }

    /// <summary>
    /// No service, no memory: at 0 the array goes. Otherwise the array keeps its headroom until the
    /// table needs a quarter of it or less, so registering and deregistering a service over many jails
    /// does not reallocate every jail's array each time.
    /// </summary>
    private void TrimSlotsLocked(int tableLength)
    {
        Debug.Assert(Mutex.IsHeldByCurrentThread, "the slot array is replaced under the jail's mutex");
        var slots = _slots;
        if (tableLength == 0)
        {
            if (slots.Length != 0)
                Volatile.Write(ref _slots, []);
            return;
        }
        var capacity = SlotCapacityFor(tableLength);
        if (slots.Length >= 4 * capacity)
            Volatile.Write(ref _slots, slots[..capacity]);
    }

    private void WriteSlotLocked(int index, object? value)
    {
        if (value is null && index >= _slots.Length)
            return;
        Volatile.Write(ref EntryLocked(index).Value, value);
    }

    /// <summary>The entry for <paramref name="index"/>, growing the array (a new copy, published) when needed.</summary>
    private ref SlotEntry EntryLocked(int index)
    {
        Debug.Assert(Mutex.IsHeldByCurrentThread, "slot entries are written under the jail's mutex");
        var slots = _slots;
        if (index >= slots.Length)
        {
            var grown = new SlotEntry[SlotCapacityFor(index + 1)];
            slots.CopyTo(grown, 0);
            Volatile.Write(ref _slots, grown);
            slots = grown;
        }
        return ref slots[index];
    }

    /// <summary>Slot arrays come in powers of two, at least <see cref="MinSlotCapacity"/>: growth is rare.</summary>
    private static int SlotCapacityFor(int length) => Math.Max(MinSlotCapacity, (int)BitOperations.RoundUpToPowerOf2((uint)length));

    private const int MinSlotCapacity = 4;

    /// <summary>One (jail, service) pair: the service's value (read without a lock) and the KPI state.</summary>
    private struct SlotEntry
    {
        public object? Value;
        public SlotState State;
    }

    /// <summary>The current length of this jail's slot array (for tests of "no service, no memory").</summary>
    internal int SlotCapacity => Volatile.Read(ref _slots).Length;
}
