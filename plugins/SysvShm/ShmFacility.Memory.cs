using System.Diagnostics;
using Prison.Core.Ipc;
using Prison.Core.Procs;

namespace Prison.Plugins.SysvShm;

/// <summary>Loads and stores through a process's simulated address space.</summary>
/// <remarks>
/// A fault copies nothing (a real CPU would have copied the bytes before the faulting one). An access
/// that runs past the end of its mapping faults with SIGSEGV even when another mapping follows; inside
/// the page-rounded mapping but past the segment's size it is SIGBUS, as for a file mapping past EOF
/// (FreeBSD backs the whole last page instead; the IPC script never touches those bytes). No module lock:
/// the address is resolved under the process's address-space lock, and the bytes are copied under the
/// segment's data lock, so a load never sees half of a concurrent store.
/// </remarks>
internal sealed partial class ShmFacility
{
    /// <inheritdoc />
    public MemFault Read(Proc p, ulong addr, Span<byte> destination)
    {
        if (destination.IsEmpty)
            return MemFault.None;
        if (!_spaces.TryGetValue(p, out var space))
            return MemFault.SIGSEGV;
        lock (space.Gate)
        {
            var fault = Resolve(space, addr, (ulong)destination.Length, write: false, out var seg, out var offset);
            if (fault != MemFault.None)
                return fault;
            lock (seg!.DataGate)
                seg.Data.AsSpan(checked((int)offset), destination.Length).CopyTo(destination);
            return MemFault.None;
        }
    }

    /// <inheritdoc />
    public MemFault Write(Proc p, ulong addr, ReadOnlySpan<byte> source)
    {
        if (source.IsEmpty)
            return MemFault.None;
        if (!_spaces.TryGetValue(p, out var space))
            return MemFault.SIGSEGV;
        lock (space.Gate)
        {
            var fault = Resolve(space, addr, (ulong)source.Length, write: true, out var seg, out var offset);
            if (fault != MemFault.None)
                return fault;
            lock (seg!.DataGate)
                source.CopyTo(seg.Data.AsSpan(checked((int)offset), source.Length));
            return MemFault.None;
        }
    }

    private static MemFault Resolve(ShmAddressSpace space, ulong addr, ulong length, bool write, out ShmSegment? seg, out ulong offset)
    {
        Debug.Assert(space.Gate.IsHeldByCurrentThread, "an address is resolved under its address space's lock");
        seg = null;
        offset = 0;
        if (space.Containing(addr) is not { } mapping || mapping.Segment is not { } attached)
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
