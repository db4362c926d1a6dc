namespace Prison.IpcScript.Linux;

/// <summary>Linux errno numbers (asm-generic/errno-base.h, errno.h) and their names.</summary>
internal static class LinuxErrno
{
    public const int EINVAL = 22;
    public const int EAGAIN = 11;
    public const int ENOMSG = 42;

    private static readonly Dictionary<int, string> Names = new()
    {
        [1] = "EPERM",
        [2] = "ENOENT",
        [3] = "ESRCH",
        [4] = "EINTR",
        [5] = "EIO",
        [6] = "ENXIO",
        [7] = "E2BIG",
        [8] = "ENOEXEC",
        [9] = "EBADF",
        [10] = "ECHILD",
        [11] = "EAGAIN",
        [12] = "ENOMEM",
        [13] = "EACCES",
        [14] = "EFAULT",
        [15] = "ENOTBLK",
        [16] = "EBUSY",
        [17] = "EEXIST",
        [18] = "EXDEV",
        [19] = "ENODEV",
        [20] = "ENOTDIR",
        [21] = "EISDIR",
        [22] = "EINVAL",
        [23] = "ENFILE",
        [24] = "EMFILE",
        [25] = "ENOTTY",
        [26] = "ETXTBSY",
        [27] = "EFBIG",
        [28] = "ENOSPC",
        [29] = "ESPIPE",
        [30] = "EROFS",
        [31] = "EMLINK",
        [32] = "EPIPE",
        [33] = "EDOM",
        [34] = "ERANGE",
        [35] = "EDEADLK",
        [36] = "ENAMETOOLONG",
        [37] = "ENOLCK",
        [38] = "ENOSYS",
        [39] = "ENOTEMPTY",
        [40] = "ELOOP",
        [42] = "ENOMSG",
        [43] = "EIDRM",
        [75] = "EOVERFLOW",
        [95] = "EOPNOTSUPP",
        [122] = "EDQUOT",
    };

    /// <summary>The symbolic name (EAGAIN, never EWOULDBLOCK), or <c>E&lt;number&gt;</c> when unknown.</summary>
    public static string Name(int errno) =>
        Names.TryGetValue(errno, out var name) ? name : "E" + errno.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
