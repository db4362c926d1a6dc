using Prison.Core.Ipc.Sysv;

namespace Prison.Plugins.SysvSem;

/// <summary>
/// The limits (<see cref="SemLimits"/>, FreeBSD's <c>seminfo</c>, registered as <c>kern.ipc.sem*</c>
/// sysctls by <see cref="SemLimits.Register"/>): read lock-free by every call, each limit once per check;
/// a change applies to later calls (docs/locking.md, "Limits").
/// </summary>
internal sealed partial class SemFacility
{
    /// <summary>The limits.</summary>
    public SemLimits Limits => _limits;

    /// <summary>
    /// FreeBSD's range check on <c>IPCID_TO_IX</c> (index &lt; semmni). A slot above a lowered semmni that
    /// still holds a set stays reachable, so lowering the limit never strands an object.
    /// </summary>
    private bool IndexInRange(int id)
    {
        var index = IpcIds.IndexOf(id);
        return index < _limits.Semmni || _sets.AtIndex(index) is not null;
    }
}
