namespace Prison.Core.Descriptors;

/// <summary>
/// A reference-counted kernel object reachable through file descriptors (FreeBSD's <c>struct file</c>).
/// Each descriptor slot that names it holds one reference; the last close runs <see cref="OnLastClose"/>.
/// </summary>
internal abstract class KernelFile
{
    private static long s_lastSerial;
    private int _refs;

    /// <summary>A number unique to this open file for the kernel's lifetime (what tells two files apart in a kern.proc.filedesc listing).</summary>
    internal long Serial { get; } = Interlocked.Increment(ref s_lastSerial);

    /// <summary>A short type name for <c>fstat</c>-like listings.</summary>
    public abstract string Kind { get; }

    /// <summary>Open references (descriptor slots in any process).</summary>
    public int References => Volatile.Read(ref _refs);

    internal void AddReference() => Interlocked.Increment(ref _refs);

    internal void DropReference()
    {
        var left = Interlocked.Decrement(ref _refs);
        if (left == 0)
            OnLastClose();
        else if (left < 0)
            throw new InvalidOperationException("file reference count underflow");
    }

    /// <summary>Runs once, when the last descriptor naming the object is closed.</summary>
    protected virtual void OnLastClose() { }
}

/// <summary>What the standard descriptors 0, 1 and 2 name: a terminal, never a jail.</summary>
internal sealed class TerminalFile : KernelFile
{
    /// <inheritdoc />
    public override string Kind => "tty";
}
