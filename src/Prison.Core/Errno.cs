namespace Prison.Core;

/// <summary>
/// FreeBSD's error numbers (sys/sys/errno.h), with FreeBSD's names and values.
/// Every syscall-like operation in Prison reports failure with one of these.
/// </summary>
/// <remarks>
/// Negative values are kernel-internal pseudo errors that are never returned to a process by a real
/// syscall (FreeBSD has ERESTART and EJUSTRETURN in the same spirit).
/// </remarks>
public enum Errno
{
    /// <summary>No error.</summary>
    OK = 0,
    /// <summary>Operation not permitted.</summary>
    EPERM = 1,
    /// <summary>No such file or directory.</summary>
    ENOENT = 2,
    /// <summary>No such process.</summary>
    ESRCH = 3,
    /// <summary>Interrupted system call.</summary>
    EINTR = 4,
    /// <summary>Input/output error.</summary>
    EIO = 5,
    /// <summary>Argument list too long.</summary>
    E2BIG = 7,
    /// <summary>Exec format error (kldload: the file is not a loadable module).</summary>
    ENOEXEC = 8,
    /// <summary>Bad file descriptor.</summary>
    EBADF = 9,
    /// <summary>Cannot allocate memory.</summary>
    ENOMEM = 12,
    /// <summary>Permission denied.</summary>
    EACCES = 13,
    /// <summary>Bad address.</summary>
    EFAULT = 14,
    /// <summary>Device busy.</summary>
    EBUSY = 16,
    /// <summary>File exists.</summary>
    EEXIST = 17,
    /// <summary>Cross-device link.</summary>
    EXDEV = 18,
    /// <summary>Operation not supported by device.</summary>
    ENODEV = 19,
    /// <summary>Not a directory.</summary>
    ENOTDIR = 20,
    /// <summary>Invalid argument.</summary>
    EINVAL = 22,
    /// <summary>Too many open files in system.</summary>
    ENFILE = 23,
    /// <summary>Too many open files.</summary>
    EMFILE = 24,
    /// <summary>File too large.</summary>
    EFBIG = 27,
    /// <summary>No space left on device.</summary>
    ENOSPC = 28,
    /// <summary>Read-only file system.</summary>
    EROFS = 30,
    /// <summary>Result too large.</summary>
    ERANGE = 34,
    /// <summary>Resource temporarily unavailable (also EWOULDBLOCK).</summary>
    EAGAIN = 35,
    /// <summary>Operation not supported.</summary>
    EOPNOTSUPP = 45,
    /// <summary>File name too long.</summary>
    ENAMETOOLONG = 63,
    /// <summary>Directory not empty.</summary>
    ENOTEMPTY = 66,
    /// <summary>Disc quota exceeded.</summary>
    EDQUOT = 69,
    /// <summary>Function not implemented (the module providing the call is not loaded or disabled).</summary>
    ENOSYS = 78,
    /// <summary>Identifier removed.</summary>
    EIDRM = 82,
    /// <summary>No message of desired type.</summary>
    ENOMSG = 83,
    /// <summary>Value too large to be stored in data type.</summary>
    EOVERFLOW = 84,
    /// <summary>Programming error: a service callback failed in a way that is not an errno.</summary>
    EDOOFUS = 88,
    /// <summary>Capabilities insufficient (a narrowed descriptor lacks the right).</summary>
    ENOTCAPABLE = 93,

    /// <summary>
    /// Pseudo error: the call would have put the caller to sleep and the caller asked, through
    /// <see cref="WaitPolicy.ReportWouldSleep"/>, not to sleep. Nothing was changed.
    /// </summary>
    EWOULDSLEEP = -100,
}

/// <summary>How a call that may sleep behaves when it would have to wait.</summary>
public enum WaitPolicy
{
    /// <summary>Block the calling thread until the call can proceed (the kernel's normal behaviour).</summary>
    Block,

    /// <summary>Return <see cref="Errno.EWOULDSLEEP"/> and change nothing (used by the IPC script runner).</summary>
    ReportWouldSleep,
}

/// <summary>Helpers for <see cref="Errno"/>.</summary>
public static class ErrnoExtensions
{
    /// <summary>The symbolic name as FreeBSD spells it, or <c>E&lt;number&gt;</c> for an unknown value.</summary>
    public static string Name(this Errno e) =>
        Enum.IsDefined(e) ? e.ToString() : "E" + ((int)e).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>strerror(3)-style text.</summary>
    public static string Describe(this Errno e) => e switch
    {
        Errno.EPERM => "Operation not permitted",
        Errno.ENOENT => "No such file or directory",
        Errno.ESRCH => "No such process",
        Errno.EINTR => "Interrupted system call",
        Errno.E2BIG => "Argument list too long",
        Errno.ENOEXEC => "Exec format error",
        Errno.ENOMEM => "Cannot allocate memory",
        Errno.EACCES => "Permission denied",
        Errno.EFAULT => "Bad address",
        Errno.EBUSY => "Device busy",
        Errno.EEXIST => "File exists",
        Errno.EINVAL => "Invalid argument",
        Errno.ENOSPC => "No space left on device",
        Errno.ERANGE => "Result too large",
        Errno.EAGAIN => "Resource temporarily unavailable",
        Errno.ENOSYS => "Function not implemented",
        Errno.EIDRM => "Identifier removed",
        Errno.ENOMSG => "No message of desired type",
        Errno.EDOOFUS => "Programming error",
        Errno.ENOTCAPABLE => "Capabilities insufficient",
        Errno.EDQUOT => "Disc quota exceeded",
        _ => e.Name(),
    };
}
