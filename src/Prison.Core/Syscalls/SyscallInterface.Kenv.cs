using Prison.Core.Procs;

namespace Prison.Core.Syscalls;

// kenv(2) (sys/kern/kern_environment.c, sys_kenv): KENV_GET, KENV_SET, KENV_UNSET and KENV_DUMP.
public sealed partial class SyscallInterface
{
    /// <summary>KENV_MNAMELEN: the longest variable name.</summary>
    public const int KenvNameMax = 128;

    /// <summary>KENV_MVALLEN: the longest value.</summary>
    public const int KenvValueMax = 128;

    /// <summary>kenv(KENV_GET): the value of <paramref name="name"/>; ENOENT when it is not set, ENAMETOOLONG past <see cref="KenvNameMax"/>.</summary>
    public SysResult<string> KenvGet(Proc td, string name)
    {
        ArgumentNullException.ThrowIfNull(td);
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length > KenvNameMax)
            return Errno.ENAMETOOLONG;
        return _kernel.Kenv.Get(name) is { } value ? SysResult<string>.Success(value) : SysResult<string>.Fail(Errno.ENOENT);
    }

    /// <summary>
    /// kenv(KENV_SET): sets <paramref name="name"/>. EPERM without PRIV_KENV_SET, which only root of
    /// prison0 holds (a jail's root is refused, as prison_priv_check grants no kenv privilege); checked
    /// before the arguments. ENAMETOOLONG for a name past <see cref="KenvNameMax"/> or a value past
    /// <see cref="KenvValueMax"/> (copyinstr); EINVAL for an empty name or one holding '='.
    /// </summary>
    public Errno KenvSet(Proc td, string name, string value)
    {
        ArgumentNullException.ThrowIfNull(td);
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(value);
        if (Priv.Check(td.Cred, Privilege.KenvSet) != Errno.OK)
            return Errno.EPERM;
        if (name.Length > KenvNameMax || value.Length > KenvValueMax)
            return Errno.ENAMETOOLONG;
        if (name.Length == 0 || name.Contains('=', StringComparison.Ordinal))
            return Errno.EINVAL;
        _kernel.Kenv.Set(name, value);
        return Errno.OK;
    }

    /// <summary>
    /// kenv(KENV_UNSET): removes <paramref name="name"/>. EPERM without PRIV_KENV_UNSET (host root only,
    /// checked first); ENAMETOOLONG past <see cref="KenvNameMax"/>; ENOENT when it is not set.
    /// </summary>
    public Errno KenvUnset(Proc td, string name)
    {
        ArgumentNullException.ThrowIfNull(td);
        ArgumentNullException.ThrowIfNull(name);
        if (Priv.Check(td.Cred, Privilege.KenvUnset) != Errno.OK)
            return Errno.EPERM;
        if (name.Length > KenvNameMax)
            return Errno.ENAMETOOLONG;
        return _kernel.Kenv.Unset(name) ? Errno.OK : Errno.ENOENT;
    }

    /// <summary>kenv(KENV_DUMP): a copy of every variable, sorted by name. Any caller may dump, jailed or not, as in FreeBSD.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> KenvDump(Proc td)
    {
        ArgumentNullException.ThrowIfNull(td);
        return _kernel.Kenv.All;
    }
}
