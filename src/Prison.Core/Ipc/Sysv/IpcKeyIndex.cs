using System.Collections.Concurrent;
using Prison.Core.Jails;

namespace Prison.Core.Ipc.Sysv;

/// <summary>
/// The key lookup of one System V IPC kind: (creator jail, key) to object. Keys are per jail (FreeBSD
/// 11+ matches only objects created in the caller's own jail), so the creator is part of the key, and
/// a lookup is one hash probe instead of a scan of every object (what Linux's key hash gives it).
/// IPC_PRIVATE objects are never indexed.
/// </summary>
/// <remarks>
/// Writers (<see cref="Add"/>, <see cref="Remove"/>) run under the owning module's lock, so a create
/// that finds no key and then adds one is atomic against other creates. <see cref="Find"/> takes no lock
/// (a concurrent dictionary); its answer is a hint like <see cref="IpcSlotTable{T}.Lookup"/>'s: the
/// caller checks the object's removed flag under the object's lock.
/// </remarks>
/// <typeparam name="T">The object type.</typeparam>
public sealed class IpcKeyIndex<T> where T : class
{
    private readonly ConcurrentDictionary<(Jail Creator, int Key), T> _byKey = new();

    /// <summary>Indexes a new object (ignored for IPC_PRIVATE).</summary>
    public void Add(Jail creator, int key, T obj)
    {
        if (key != IpcConstants.IPC_PRIVATE)
            _byKey[(creator, key)] = obj;
    }

    /// <summary>Drops an object whose key is going away (removal, or the key turned IPC_PRIVATE).</summary>
    public void Remove(Jail creator, int key, T obj)
    {
        if (key != IpcConstants.IPC_PRIVATE)
            _byKey.TryRemove(new KeyValuePair<(Jail, int), T>((creator, key), obj));
    }

    /// <summary>The object with <paramref name="key"/> created in <paramref name="caller"/> itself, or null.</summary>
    public T? Find(Jail caller, int key) =>
        key != IpcConstants.IPC_PRIVATE && _byKey.TryGetValue((caller, key), out var obj) ? obj : null;
}
