namespace Prison.IpcScript;

/// <summary>An address range of the calling process.</summary>
/// <param name="Start">The first address.</param>
/// <param name="Length">The length in bytes.</param>
public readonly record struct IpcRange(ulong Start, ulong Length)
{
    /// <summary>The first address after the range.</summary>
    public ulong End => Start + Length;
}
