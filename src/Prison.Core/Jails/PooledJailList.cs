using System.Buffers;

namespace Prison.Core.Jails;

/// <summary>A jid-ordered copy of the jail list in a pooled array; <see cref="Dispose"/> returns the array.</summary>
internal readonly struct PooledJailList : IDisposable
{
    private readonly Jail[] _array;

    internal PooledJailList(Jail[] array, int count)
    {
        _array = array;
        Count = count;
    }

    /// <summary>How many jails.</summary>
    public int Count { get; }

    /// <summary>The jails, in jid order.</summary>
    public ReadOnlySpan<Jail> Jails => _array.AsSpan(0, Count);

    /// <summary>Clears the references (the pool must not keep jails alive) and returns the array.</summary>
    public void Dispose()
    {
        _array.AsSpan(0, Count).Clear();
        ArrayPool<Jail>.Shared.Return(_array);
    }
}
