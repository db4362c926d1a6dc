namespace Prison.TestPlugin;

/// <summary>Callback counts of one load of the module (read through the debug.testplugin.* sysctls).</summary>
internal sealed class TestCounters
{
    private int _creates;
    private int _destroys;
    private int _exits;

    public int Creates => Volatile.Read(ref _creates);

    public int Destroys => Volatile.Read(ref _destroys);

    public int Exits => Volatile.Read(ref _exits);

    /// <summary>Counts a create call (also one that is about to fail) and returns its ordinal, from 1.</summary>
    public int CountCreate() => Interlocked.Increment(ref _creates);

    public void CountDestroy() => Interlocked.Increment(ref _destroys);

    public void CountExit() => Interlocked.Increment(ref _exits);
}
