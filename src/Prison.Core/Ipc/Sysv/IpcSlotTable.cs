namespace Prison.Core.Ipc.Sysv;

/// <summary>
/// The object table of one System V IPC kind: slots with sequence numbers, so ids are
/// <c>(seq &lt;&lt; 16) | index</c> and a reused slot never answers to a stale id. The lowest free
/// slot is taken first. Not thread-safe: the owning module's lock protects it.
/// </summary>
/// <typeparam name="T">The object type.</typeparam>
public sealed class IpcSlotTable<T> where T : class
{
    private T?[] _objects = [];
    private ushort[] _seqs = [];

    /// <summary>Number of live objects.</summary>
    public int Count { get; private set; }

    /// <summary>
    /// Places <paramref name="obj"/> in the lowest free slot below <paramref name="limit"/> (the
    /// <c>*mni</c> limit), bumping the slot's sequence. Returns the id, or -1 when every slot is used (ENOSPC).
    /// </summary>
    public int Allocate(T obj, int limit)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var max = Math.Min(limit, 0x10000);
        for (var i = 0; i < max; i++)
        {
            if (i >= _objects.Length)
            {
                var size = Math.Min(max, Math.Max(8, _objects.Length * 2));
                Array.Resize(ref _objects, size);
                Array.Resize(ref _seqs, size);
            }
            if (_objects[i] is null)
            {
                _objects[i] = obj;
                _seqs[i] = IpcIds.NextSeq(_seqs[i]);
                Count++;
                return IpcIds.Make(i, _seqs[i]);
            }
        }
        return -1;
    }

    /// <summary>The object an id names, or null when the slot is free or the sequence is stale.</summary>
    public T? Lookup(int id)
    {
        if (id < 0)
            return null;
        var index = IpcIds.IndexOf(id);
        return index < _objects.Length && _objects[index] is { } obj && _seqs[index] == IpcIds.SeqOf(id) ? obj : null;
    }

    /// <summary>The object in a slot (for *_STAT by index), or null.</summary>
    public T? AtIndex(int index) => (uint)index < (uint)_objects.Length ? _objects[index] : null;

    /// <summary>The current id of a live slot.</summary>
    public int IdOf(int index) => IpcIds.Make(index, _seqs[index]);

    /// <summary>Frees the slot an id names; false when the id is stale.</summary>
    public bool Free(int id)
    {
        if (Lookup(id) is null)
            return false;
        _objects[IpcIds.IndexOf(id)] = null;
        Count--;
        return true;
    }

    /// <summary>The live objects with their ids, in slot order.</summary>
    public IEnumerable<(int Id, T Object)> Live()
    {
        for (var i = 0; i < _objects.Length; i++)
        {
            if (_objects[i] is { } obj)
                yield return (IpcIds.Make(i, _seqs[i]), obj);
        }
    }
}
