using Prison.Core.Procs;

namespace Prison.Core.Syscalls;

// sysctl(3): reads, writes and the name list, each answered for the caller's credential.
public sealed partial class SyscallInterface
{
    /// <summary>
    /// sysctl(3) read (sys/kern/kern_sysctl.c): the value of <paramref name="name"/> as the caller sees it
    /// (one name can answer differently in each jail: <c>security.jail.jailid</c>, <c>kern.ipc.shmsegs</c>).
    /// </summary>
    /// <returns>An <see cref="int"/>, a <see cref="string"/>, or a list of copied records for an opaque node; ENOENT for an unknown name.</returns>
    public SysResult<object> Sysctl(Proc td, string name)
    {
        ArgumentNullException.ThrowIfNull(td);
        return _kernel.Sysctl.Read(td.Cred, name);
    }

    /// <summary>
    /// sysctl(3) write: ENOENT for an unknown name; EPERM for a read-only node, for a caller that is not
    /// root, and for jailed root on a node without CTLFLAG_PRISON; EINVAL for a value that does not parse
    /// or is out of range.
    /// </summary>
    public Errno SysctlWrite(Proc td, string name, string value)
    {
        ArgumentNullException.ThrowIfNull(td);
        return _kernel.Sysctl.Write(td.Cred, name, value);
    }

    /// <summary>
    /// The names under <paramref name="prefix"/> (a full name, a dotted prefix, or "" for all), sorted,
    /// with their types, descriptions and access: sysctl(8)'s walk with <c>sysctl.next</c>.
    /// </summary>
    public IReadOnlyList<SysctlOid> SysctlList(Proc td, string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(td);
        ArgumentNullException.ThrowIfNull(prefix);
        return _kernel.Sysctl.List(prefix).Select(n => new SysctlOid(n.Name, n.Description, n.Type, n.Access)).ToArray();
    }
}
