using Prison.Core.Descriptors;
using Prison.Core.Jails;
using Prison.Core.Procs;

namespace Prison.Core.Syscalls;

// File descriptors (sys/kern/kern_descrip.c, uipc_usrreq.c, sys_capability.c): close, closefrom,
// descriptor passing, cap_rights_limit, kern.proc.filedesc, and kqueue on a jail descriptor.
public sealed partial class SyscallInterface
{
    /// <summary>close(2): EBADF when <paramref name="fd"/> is not open. The last close of an owning jail descriptor removes its jail.</summary>
    public Errno Close(Proc td, int fd)
    {
        ArgumentNullException.ThrowIfNull(td);
        return td.Files.Close(fd);
    }

    /// <summary>closefrom(2): closes every descriptor from <paramref name="lowfd"/> up; EINVAL for a negative <paramref name="lowfd"/>.</summary>
    public Errno CloseFrom(Proc td, int lowfd)
    {
        ArgumentNullException.ThrowIfNull(td);
        if (lowfd < 0)
            return Errno.EINVAL;
        foreach (var (fd, _) in td.Files.Open)
        {
            if (fd >= lowfd)
                td.Files.Close(fd);
        }
        return Errno.OK;
    }

    /// <summary>
    /// A descriptor passed with SCM_RIGHTS (sendmsg by <paramref name="td"/>, recvmsg by
    /// <paramref name="to"/>): the same open file under a new number in <paramref name="to"/>. EBADF when
    /// <paramref name="fd"/> is not open.
    /// </summary>
    /// <returns>The descriptor number in <paramref name="to"/>.</returns>
    public SysResult<int> FdPass(Proc td, int fd, Proc to)
    {
        ArgumentNullException.ThrowIfNull(td);
        ArgumentNullException.ThrowIfNull(to);
        return td.Files.Pass(fd, to.Files);
    }

    /// <summary>
    /// cap_rights_limit(2) on a jail descriptor: narrows its rights. EBADF when <paramref name="fd"/> is
    /// not open; EINVAL when it is not a jail descriptor; ENOTCAPABLE when <paramref name="rights"/> would
    /// add a right it does not hold.
    /// </summary>
    public Errno CapRightsLimit(Proc td, int fd, JailDescRights rights)
    {
        ArgumentNullException.ThrowIfNull(td);
        return td.Files.Get(fd) switch
        {
            null => Errno.EBADF,
            JailDescriptor jd => jd.Limit(rights),
            _ => Errno.EINVAL,
        };
    }

    /// <summary><c>kern.proc.filedesc</c> for the calling process: a copy of each open descriptor, by number.</summary>
    public IReadOnlyList<KinfoFile> FileList(Proc td)
    {
        ArgumentNullException.ThrowIfNull(td);
        return td.Files.Open.Select(f => new KinfoFile(f.Fd, f.File.Kind, f.File.Serial, f.File is JailDescriptor jd
            ? new KinfoJailDesc(jd.Jail.Id, jd.Jail.NameRelativeTo(td.Jail), jd.Jail.State, jd.Rights, jd.Owning)
            : null)).ToArray();
    }

    /// <summary>
    /// kevent(2) with the jail descriptor filter: a subscription to the events of the descriptor's jail
    /// (a child created, a set, an attach, the removal), read with <see cref="JailEventStream"/>; dispose it
    /// to deregister. EBADF when <paramref name="fd"/> is not open; EINVAL when it is not a jail descriptor.
    /// </summary>
    public SysResult<JailEventStream> JailDescWatch(Proc td, int fd)
    {
        ArgumentNullException.ThrowIfNull(td);
        return td.Files.Get(fd) switch
        {
            null => SysResult<JailEventStream>.Fail(Errno.EBADF),
            JailDescriptor jd => SysResult<JailEventStream>.Success(jd.Watch()),
            _ => SysResult<JailEventStream>.Fail(Errno.EINVAL),
        };
    }
}
