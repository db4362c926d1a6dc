using Prison.Core.Procs;

namespace Prison.Core.Syscalls;

// The kernel snapshot: Prison's own call (FreeBSD has none), a text dump of every jail's state.
public sealed partial class SyscallInterface
{
    /// <summary>
    /// The deterministic text dump of the kernel and of every module that writes a section;
    /// <paramref name="section"/> picks one (<c>kernel</c> or a module's name). It shows every jail's
    /// objects, keys and contents, so only root of prison0 may take it: EPERM for a jailed or non-root
    /// caller. ENOENT (with a message) when no loaded code writes that section.
    /// </summary>
    public SysResult<string> Snapshot(Proc td, string? section = null)
    {
        ArgumentNullException.ThrowIfNull(td);
        if (td.Cred.IsJailed || !td.Cred.IsRoot)
            return Errno.EPERM;
        var text = _kernel.Snapshots.Take(section);
        if (text.Length == 0)
            return SysResult<string>.Fail(Errno.ENOENT, $"{section}: no such section (kernel, or a loaded module that writes one)");
        return SysResult<string>.Success(text);
    }
}
