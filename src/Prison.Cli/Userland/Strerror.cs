using Prison.Core;

namespace Prison.Cli.Userland;

/// <summary>strerror(3) for the errors the file system and descriptor commands meet, FreeBSD's wording.</summary>
internal static class Strerror
{
    /// <summary>The text of <paramref name="error"/>, including those the kernel's own table leaves out.</summary>
    public static string Of(Errno error) => error switch
    {
        Errno.EBADF => "Bad file descriptor",
        Errno.EXDEV => "Cross-device link",
        Errno.ENODEV => "Operation not supported by device",
        Errno.EROFS => "Read-only file system",
        Errno.ENAMETOOLONG => "File name too long",
        _ => error.Describe(),
    };
}
