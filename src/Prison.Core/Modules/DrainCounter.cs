namespace Prison.Core.Modules;

/// <summary>
/// Counts the threads inside a module's code reached by routes other than its syscalls (process-exit
/// hooks, sysctl handlers, snapshot providers, file system callbacks). Once closed, new entries are
/// refused and <see cref="CloseAndDrain"/> waits for the threads inside, so no thread runs plugin code
/// after the module's unload.
/// </summary>
/// <remarks>Lock-free on entry: an interlocked increment and a volatile read, as the syscall gates.</remarks>
internal sealed class DrainCounter
{
    private readonly ManualResetEventSlim _drained = new(false);
    private int _inside;
    private volatile bool _closed;

    /// <summary>Enters; false once closed (the caller skips the plugin's code).</summary>
    public bool TryEnter()
    {
        Interlocked.Increment(ref _inside);
        if (!_closed)
            return true;
        Leave();
        return false;
    }

    /// <summary>Leaves an entry that <see cref="TryEnter"/> granted.</summary>
    public void Leave()
    {
        if (Interlocked.Decrement(ref _inside) == 0 && _closed)
            _drained.Set();
    }

    /// <summary>Refuses new entries and waits until no thread is inside.</summary>
    public void CloseAndDrain()
    {
        _closed = true;
        // The store must be visible before the counter is read (StoreLoad), or a leaver could miss it.
        Interlocked.MemoryBarrier();
        while (Volatile.Read(ref _inside) != 0)
        {
            _drained.Wait();
            _drained.Reset();
        }
    }
}
