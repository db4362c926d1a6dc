using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace Prison.IpcScript.Linux;

/// <summary>The libc calls the Linux back end makes (x86_64 glibc).</summary>
[SupportedOSPlatform("linux")]
internal static unsafe partial class LinuxNative
{
    private const string Libc = "libc";

    public const int PROT_NONE = 0;
    public const int MAP_PRIVATE = 0x02;
    public const int MAP_ANONYMOUS = 0x20;
    public const int MAP_NORESERVE = 0x4000;
    public const int MAP_FIXED_NOREPLACE = 0x100000;
    public const int O_WRONLY = 1;

    /// <summary>IPC_STAT (include/uapi/linux/ipc.h).</summary>
    public const int IPC_RMID = 0;
    public const int IPC_SET = 1;
    public const int IPC_STAT = 2;

    /// <summary>semctl commands (include/uapi/linux/sem.h).</summary>
    public const int GETPID = 11;
    public const int GETVAL = 12;
    public const int GETALL = 13;
    public const int GETNCNT = 14;
    public const int GETZCNT = 15;
    public const int SETVAL = 16;
    public const int SETALL = 17;

    [LibraryImport(Libc, EntryPoint = "shmget", SetLastError = true)]
    public static partial int ShmGet(int key, nuint size, int flags);

    [LibraryImport(Libc, EntryPoint = "shmat", SetLastError = true)]
    public static partial nint ShmAt(int shmid, nint address, int flags);

    [LibraryImport(Libc, EntryPoint = "shmdt", SetLastError = true)]
    public static partial int ShmDt(nint address);

    [LibraryImport(Libc, EntryPoint = "shmctl", SetLastError = true)]
    public static partial int ShmCtl(int shmid, int cmd, byte* buf);

    [LibraryImport(Libc, EntryPoint = "semget", SetLastError = true)]
    public static partial int SemGet(int key, int nsems, int flags);

    [LibraryImport(Libc, EntryPoint = "semop", SetLastError = true)]
    public static partial int SemOp(int semid, byte* sops, nuint nsops);

    /// <summary>semctl(2); the variadic fourth argument is passed as one pointer-sized value (union semun).</summary>
    [LibraryImport(Libc, EntryPoint = "semctl", SetLastError = true)]
    public static partial int SemCtl(int semid, int semnum, int cmd, nint arg);

    [LibraryImport(Libc, EntryPoint = "msgget", SetLastError = true)]
    public static partial int MsgGet(int key, int flags);

    [LibraryImport(Libc, EntryPoint = "msgsnd", SetLastError = true)]
    public static partial int MsgSnd(int msqid, byte* msgp, nuint msgsz, int flags);

    [LibraryImport(Libc, EntryPoint = "msgrcv", SetLastError = true)]
    public static partial nint MsgRcv(int msqid, byte* msgp, nuint msgsz, nint msgtyp, int flags);

    [LibraryImport(Libc, EntryPoint = "msgctl", SetLastError = true)]
    public static partial int MsgCtl(int msqid, int cmd, byte* buf);

    /// <summary>CLONE_NEWIPC (include/uapi/linux/sched.h): a private System V IPC namespace.</summary>
    public const int CLONE_NEWIPC = 0x08000000;

    /// <summary>unshare(2): moves the calling thread (only) into new namespaces.</summary>
    [LibraryImport(Libc, EntryPoint = "unshare", SetLastError = true)]
    public static partial int Unshare(int flags);

    /// <summary>gettid(2): the calling thread's kernel id, which names its namespaces under /proc/PID/task/TID/ns.</summary>
    [LibraryImport(Libc, EntryPoint = "gettid")]
    public static partial int GetTid();

    [LibraryImport(Libc, EntryPoint = "getpid")]
    public static partial int GetPid();

    [LibraryImport(Libc, EntryPoint = "geteuid")]
    public static partial uint GetEuid();

    [LibraryImport(Libc, EntryPoint = "setresuid", SetLastError = true)]
    public static partial int SetResUid(uint ruid, uint euid, uint suid);

    [LibraryImport(Libc, EntryPoint = "setresgid", SetLastError = true)]
    public static partial int SetResGid(uint rgid, uint egid, uint sgid);

    [LibraryImport(Libc, EntryPoint = "mmap", SetLastError = true)]
    public static partial nint Mmap(nint address, nuint length, int prot, int flags, int fd, nint offset);

    [LibraryImport(Libc, EntryPoint = "munmap", SetLastError = true)]
    public static partial int Munmap(nint address, nuint length);

    [LibraryImport(Libc, EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Open(string path, int flags);

    [LibraryImport(Libc, EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, byte* buf, nuint count);

    [LibraryImport(Libc, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    /// <summary>The errno of the last call made with SetLastError.</summary>
    public static int Errno => Marshal.GetLastPInvokeError();
}
