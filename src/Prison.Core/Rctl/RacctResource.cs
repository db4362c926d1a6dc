namespace Prison.Core.Rctl;

/// <summary>
/// The resources Prison accounts per jail: the System V IPC subset of FreeBSD's racct resources
/// (sys/sys/racct.h), in FreeBSD's order, which is also the order <c>rctl -u</c> prints them in.
/// </summary>
public enum RacctResource
{
    /// <summary><c>msgqqueued</c>: messages queued in the jail's message queues (EAGAIN).</summary>
    MsgqQueued,

    /// <summary><c>msgqsize</c>: bytes queued in the jail's message queues (EAGAIN).</summary>
    MsgqSize,

    /// <summary><c>nmsgq</c>: message queues (ENOSPC).</summary>
    Nmsgq,

    /// <summary><c>nsem</c>: semaphores, counted one per semaphore of every set (ENOSPC).</summary>
    Nsem,

    /// <summary><c>nsemop</c>: operations in one semop call; a limit only, never accounted (E2BIG).</summary>
    Nsemop,

    /// <summary><c>nshm</c>: shared memory segments (ENOSPC).</summary>
    Nshm,

    /// <summary><c>shmsize</c>: bytes of shared memory, each segment rounded up to whole pages (ENOMEM).</summary>
    ShmSize,
}

/// <summary>Names and errors of <see cref="RacctResource"/>.</summary>
public static class RacctResources
{
    /// <summary>How many resources there are.</summary>
    public const int Count = (int)RacctResource.ShmSize + 1;

    private static readonly string[] Names = ["msgqqueued", "msgqsize", "nmsgq", "nsem", "nsemop", "nshm", "shmsize"];

    /// <summary>Every resource in FreeBSD's order.</summary>
    public static IReadOnlyList<RacctResource> All { get; } = Enum.GetValues<RacctResource>();

    /// <summary>The name rctl(8) uses (<c>nshm</c>).</summary>
    public static string Name(this RacctResource resource) => Names[(int)resource];

    /// <summary>The resource called <paramref name="name"/>, or null.</summary>
    public static RacctResource? Parse(string name)
    {
        var i = Array.IndexOf(Names, name);
        return i < 0 ? null : (RacctResource)i;
    }

    /// <summary>
    /// The errno the System V call reports when a rule denies the resource (each FreeBSD caller maps
    /// racct_add's failure to its own errno: sysv_shm.c, sysv_sem.c, sysv_msg.c).
    /// </summary>
    public static Errno DenyErrno(this RacctResource resource) => resource switch
    {
        RacctResource.MsgqQueued or RacctResource.MsgqSize => Errno.EAGAIN,
        RacctResource.Nmsgq or RacctResource.Nsem or RacctResource.Nshm => Errno.ENOSPC,
        RacctResource.Nsemop => Errno.E2BIG,
        RacctResource.ShmSize => Errno.ENOMEM,
        _ => throw new ArgumentOutOfRangeException(nameof(resource)),
    };
}
