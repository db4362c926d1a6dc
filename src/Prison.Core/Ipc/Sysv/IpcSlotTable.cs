namespace Prison.Core.Ipc.Sysv;

/// <summary>
/// The object table of one System V IPC kind: slots with sequence numbers, so ids are
/// <c>(seq &lt;&lt; 16) | index</c> and a reused slot never answers to a stale id. The lowest free
/// slot is taken first.
/// </summary>
/// <remarks>
/// <para>Writers (<see cref="Allocate"/>, <see cref="Free"/>) run under the owning module's lock. Readers
/// (<see cref="Lookup"/>, <see cref="AtIndex"/>, <see cref="Count"/>) take no lock, as Linux looks ids up
/// under RCU: a slot's sequence is written before its object is published with a release store, and a
/// grown array is filled before it is published, so a reader that sees an object also sees its sequence.</para>
/// <para>A lock-free answer is a hint: the object may be removed right after it was read (or, read from a
/// slot just freed, already be). The caller locks the object and checks its own removed flag before it
/// trusts it (Linux's <c>ipc_valid_object</c>). A stale id never finds the slot's next object: a slot is
/// reused only with a new sequence.</para>
/// </remarks>
/// <typeparam name="T">The object type.</typeparam>
public sealed class IpcSlotTable<T> where T : class
{
    private T?[] _objects = [];
    private ushort[] _seqs = [];
    private int _count;

    /// <summary>Number of live objects (a lock-free read may be momentarily behind a concurrent writer).</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>
    /// Places <paramref name="obj"/> in the lowest free slot below <paramref name="limit"/> (the
    /// <c>*mni</c> limit), bumping the slot's sequence. Returns the id, or -1 when every slot is used
    /// (ENOSPC). Lock-free readers see the object from this call on: <paramref name="assignId"/>, when
    /// given, receives the id before the object is published, so a reader never sees it without one.
    /// </summary>
    public int Allocate(T obj, int limit, Action<T, int>? assignId = null)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var max = Math.Min(limit, 0x10000);
        for (var i = 0; i < max; i++)
        {
            if (i >= _objects.Length)
            {
                var size = Math.Min(max, Math.Max(8, _objects.Length * 2));
                // Sequences first, then objects: a reader that sees the new object array also sees the
                // new sequence array (both are filled before they are published).
                var seqs = new ushort[size];
                Array.Copy(_seqs, seqs, _seqs.Length);
                Volatile.Write(ref _seqs, seqs);
                var objects = new T?[size];
                Array.Copy(_objects, objects, _objects.Length);
                Volatile.Write(ref _objects, objects);
            }
            if (_objects[i] is null)
            {
                var seq = IpcIds.NextSeq(_seqs[i]);
                _seqs[i] = seq;
                assignId?.Invoke(obj, IpcIds.Make(i, seq));
                Volatile.Write(ref _objects[i], obj);
                Volatile.Write(ref _count, _count + 1);
                return IpcIds.Make(i, seq);
            }
        }
        return -1;
    }

    /// <summary>The object an id names, or null when the slot is free or the sequence is stale (a hint; see the remarks).</summary>
    public T? Lookup(int id)
    {
        if (id < 0)
            return null;
        var index = IpcIds.IndexOf(id);
        var objects = Volatile.Read(ref _objects);
        if (index >= objects.Length || Volatile.Read(ref objects[index]) is not { } obj)
            return null;
        var seqs = Volatile.Read(ref _seqs);
        return index < seqs.Length && seqs[index] == IpcIds.SeqOf(id) ? obj : null;
    }

    /// <summary>The object in a slot (for *_STAT by index), or null.</summary>
    public T? AtIndex(int index)
    {
        var objects = Volatile.Read(ref _objects);
        return (uint)index < (uint)objects.Length ? Volatile.Read(ref objects[index]) : null;
    }

    /// <summary>The current id of a live slot.</summary>
    public int IdOf(int index) => IpcIds.Make(index, Volatile.Read(ref _seqs)[index]);

    /// <summary>Frees the slot an id names; false when the id is stale. Called under the module lock.</summary>
    public bool Free(int id)
    {
        if (Lookup(id) is null)
            return false;
        Volatile.Write(ref _objects[IpcIds.IndexOf(id)], null);
        Volatile.Write(ref _count, _count - 1);
        return true;
    }

    /// <summary>The live objects with their ids, in slot order (under the module lock for an exact answer).</summary>
    public IEnumerable<(int Id, T Object)> Live()
    {
        var objects = Volatile.Read(ref _objects);
        var seqs = Volatile.Read(ref _seqs);
        for (var i = 0; i < objects.Length; i++)
        {
            if (Volatile.Read(ref objects[i]) is { } obj)
                yield return (IpcIds.Make(i, seqs[i]), obj);
        }
    }
}
