using Prison.Core.Services;

namespace Prison.Core.Jails;

/// <summary>
/// A jail: FreeBSD's <c>struct prison</c>. Jid 0 is prison0, the host. Jails form a tree; each
/// holds the per-service slots of the jail services KPI.
/// </summary>
/// <remarks>
/// Locking: <see cref="Mutex"/> (FreeBSD's <c>pr_mtx</c>) protects the parameters, the reference
/// counts' state transitions and writes to the slot array. Slot <em>reads</em> take no lock: the slot
/// array is published by reference and replaced when it grows or shrinks.
/// </remarks>
public sealed class Jail
{
    /// <summary>The jid of prison0.</summary>
    public const int HostJid = 0;

    /// <summary>The largest jid (FreeBSD's JAIL_MAX).</summary>
    public const int MaxJid = 999_999;

    internal readonly Lock Mutex = new();
    private object?[] _slots = [];
    private SlotState[] _slotStates = [];
    private int _id;
    private string _name;
    private int _refs;
    private int _urefs;
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

    /// <summary>Takes a kernel reference: the jail will not be freed until <see cref="Release"/>.</summary>
    /// <remarks>A dying jail may be held; a dead one may not (its services are gone).</remarks>
    public void Hold()
    {
        if (_state == JailState.Dead)
            throw new InvalidOperationException($"jail {Id} is dead and cannot be held");
        Interlocked.Increment(ref _refs);
    }

    /// <summary>
    /// Takes a kernel reference unless the jail is already dead (a lookup can race with the free):
    /// the non-throwing form for callers that found the jail without holding a lock.
    /// </summary>
    public bool TryHold()
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

    /// <summary>Drops a kernel reference taken with <see cref="Hold"/>; the last one frees the jail.</summary>
    public void Release()
    {
        var left = Interlocked.Decrement(ref _refs);
        if (left == 0)
            Table?.Free(this);
        else if (left < 0)
            throw new InvalidOperationException($"jail {Id}: reference count underflow");
    }

    /// <inheritdoc />
    public override string ToString() => $"jail {Id} ({Name})";

    // --- kernel internals -------------------------------------------------------------

    internal JailTable? Table { get; set; }

    /// <summary>Event subscribers through jail descriptors, and the removal signal poll(2) waits for.</summary>
    internal JailWatchers Watchers { get; } = new();

    /// <summary>The racct counters of this jail and its descendants (see <see cref="Rctl.Racct"/>).</summary>
    internal Rctl.JailUsage Usage { get; } = new();

    internal void SetState(JailState state) => _state = state;

    internal void InitReferences(int refs) => _refs = refs;

    internal int AddUserReference() => Interlocked.Increment(ref _urefs);

    internal int DropUserReference() => Interlocked.Decrement(ref _urefs);

    internal object?[] Slots => Volatile.Read(ref _slots);

    /// <summary>Lock-free slot read: one volatile load and an index.</summary>
    internal object? ReadSlot(int index)
    {
        var slots = Volatile.Read(ref _slots);
        return (uint)index < (uint)slots.Length ? slots[index] : null;
    }

    internal void WriteSlot(int index, object? value)
    {
        lock (Mutex)
        {
            var slots = _slots;
            if (index >= slots.Length)
            {
                if (value is null)
                    return;
                var grown = new object?[index + 1];
                slots.CopyTo(grown, 0);
                grown[index] = value;
                Volatile.Write(ref _slots, grown);
                return;
            }
            Volatile.Write(ref slots[index], value);
        }
    }

    /// <summary>Stores a created service's value and marks the pair created, under one lock.</summary>
    internal void SetCreated(int index, object? value)
    {
        lock (Mutex)
        {
            if (value is not null)
                WriteSlot(index, value);
            SetSlotState(index, SlotState.Created);
        }
    }

    internal SlotState GetSlotState(int index)
    {
        lock (Mutex)
            return index < _slotStates.Length ? _slotStates[index] : SlotState.None;
    }

    internal void SetSlotState(int index, SlotState state)
    {
        lock (Mutex)
        {
            if (index >= _slotStates.Length)
            {
                if (state == SlotState.None)
                    return;
                Array.Resize(ref _slotStates, index + 1);
            }
            _slotStates[index] = state;
        }
    }

    /// <summary>Cuts the slot arrays to <paramref name="length"/> entries (the KPI's shrink-at-last).</summary>
    internal void TrimSlots(int length)
    {
        lock (Mutex)
        {
            if (_slots.Length > length)
                Volatile.Write(ref _slots, _slots[..length]);
            if (_slotStates.Length > length)
                _slotStates = _slotStates[..length];
        }
    }

    /// <summary>The current length of this jail's slot array (for tests of "no service, no memory").</summary>
    internal int SlotCapacity => Volatile.Read(ref _slots).Length;
}
