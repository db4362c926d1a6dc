using Prison.Core.Ipc;
using Prison.Core.Procs;

namespace Prison.Plugins.SysvShm;

/// <summary>Loads and stores through a process's simulated address space.</summary>
/// <remarks>
/// A fault copies nothing (a real CPU would have copied the bytes before the faulting one). An access
/// that runs past the end of its mapping faults with SIGSEGV even when another mapping follows; inside
/// the page-rounded mapping but past the segment's size it is SIGBUS, as for a file mapping past EOF
/// (FreeBSD backs the whole last page instead; the IPC script never touches those bytes). Copies run
/// under the module lock, so a load never sees half of a concurrent store.
/// </remarks>
internal sealed partial class ShmSubsystem
{
    /// <inheritdoc />
    public MemFault Read(Proc p, ulong addr, Span<byte> destination)
    {
        if (destination.IsEmpty)
            return MemFault.None;
        lock (_lock)
        {
            var fault = ResolveLocked(p, addr, (ulong)destination.Length, write: false, out var seg, out var offset);
            if (fault == MemFault.None)
                seg!.Data.AsSpan(checked((int)offset), destination.Length).CopyTo(destination);
            return fault;
        }
    }

    /// <inheritdoc />
    public MemFault Write(Proc p, ulong addr, ReadOnlySpan<byte> source)
    {
        if (source.IsEmpty)
            return MemFault.None;
        lock (_lock)
        {
            var fault = ResolveLocked(p, addr, (ulong)source.Length, write: true, out var seg, out var offset);
            if (fault == MemFault.None)
                source.CopyTo(seg!.Data.AsSpan(checked((int)offset), source.Length));
            return fault;
        }
    }

    private MemFault ResolveLocked(Proc p, ulong addr, ulong length, bool write, out ShmSegment? seg, out ulong offset)
    {
        seg = null;
        offset = 0;
        if (!_spaces.TryGetValue(p, out var space) || space.Containing(addr) is not { } mapping || mapping.Segment is not { } attached)
            return MemFault.SIGSEGV; // unmapped, or a detached range kept reserved with no access
        offset = addr - mapping.Start;
        if (length > mapping.Length - offset)
            return MemFault.SIGSEGV;
        if (write && mapping.ReadOnly)
            return MemFault.SIGSEGV;
        if (offset + length > attached.Size)
            return MemFault.SIGBUS;
        seg = attached;
        return MemFault.None;
    }
}
