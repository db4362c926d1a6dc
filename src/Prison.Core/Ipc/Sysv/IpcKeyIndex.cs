using Prison.Core.Jails;

namespace Prison.Core.Ipc.Sysv;

/// <summary>
/// The key lookup of one System V IPC kind: (creator jail, key) to object. Keys are per jail (FreeBSD
/// 11+ matches only objects created in the caller's own jail), so the creator is part of the key, and
/// a lookup is one hash probe instead of a scan of every object (what Linux's key hash gives it).
/// IPC_PRIVATE objects are never indexed. Not thread-safe: the owning module's lock protects it.
/// </summary>
/// <typeparam name="T">The object type.</typeparam>
public sealed class IpcKeyIndex<T> where T : class
{
    private readonly Dictionary<(Jail Creator, int Key), T> _byKey = [];

    /// <summary>Indexes a new object (ignored for IPC_PRIVATE).</summary>
    public void Add(Jail creator, int key, T obj)
    {
        if (key != IpcConstants.IPC_PRIVATE)
            _byKey[(creator, key)] = obj;
    }

    /// <summary>Drops an object whose key is going away (removal, or the key turned IPC_PRIVATE).</summary>
    public void Remove(Jail creator, int key, T obj)
    {
        if (key != IpcConstants.IPC_PRIVATE && _byKey.TryGetValue((creator, key), out var found) && ReferenceEquals(found, obj))
            _byKey.Remove((creator, key));
    }

    /// <summary>The object with <paramref name="key"/> created in <paramref name="caller"/> itself, or null.</summary>
    public T? Find(Jail caller, int key) =>
        key != IpcConstants.IPC_PRIVATE && _byKey.TryGetValue((caller, key), out var obj) ? obj : null;
}
