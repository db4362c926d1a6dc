namespace Prison.Core.Ipc;

/// <summary>System V IPC constants with FreeBSD's values (sys/ipc.h, sys/shm.h, sys/sem.h, sys/msg.h).</summary>
public static class IpcConstants
{
    /// <summary>The private key.</summary>
    public const int IPC_PRIVATE = 0;
    /// <summary>Create the object if the key does not exist.</summary>
    public const int IPC_CREAT = 0x0200;    // 001000
    /// <summary>Fail if the key exists.</summary>
    public const int IPC_EXCL = 0x0400;     // 002000
    /// <summary>Do not wait.</summary>
    public const int IPC_NOWAIT = 0x0800;   // 004000

    /// <summary>Remove the object.</summary>
    public const int IPC_RMID = 0;
    /// <summary>Set uid, gid, mode (and qbytes).</summary>
    public const int IPC_SET = 1;
    /// <summary>Read the status.</summary>
    public const int IPC_STAT = 2;
    /// <summary>Limits (Linux compatibility command; FreeBSD accepts it for shm).</summary>
    public const int IPC_INFO = 3;

    /// <summary>Attach read-only.</summary>
    public const int SHM_RDONLY = 0x1000;   // 010000
    /// <summary>Round the attach address down to SHMLBA.</summary>
    public const int SHM_RND = 0x2000;      // 020000
    /// <summary>Replace an existing mapping at the address.</summary>
    public const int SHM_REMAP = 0x3000;    // 030000
    /// <summary>
    /// A shm segment's mode bit for "slot in use" (FreeBSD's SHMSEG_ALLOCATED, 04000), as IPC_STAT reports it.
    /// </summary>
    public const int SHMSEG_ALLOCATED = 0x0800;
    /// <summary>
    /// A shm segment's mode bit for "removed, freed at the last detach" (FreeBSD's SHMSEG_REMOVED, 02000;
    /// the <c>dest</c> of the IPC script's stat line, Linux's SHM_DEST).
    /// </summary>
    public const int SHMSEG_REMOVED = 0x0400;
    /// <summary>Lock a segment in memory.</summary>
    public const int SHM_LOCK = 11;
    /// <summary>Unlock a segment.</summary>
    public const int SHM_UNLOCK = 12;
    /// <summary>Stat by index (Linux compatibility).</summary>
    public const int SHM_STAT = 13;
    /// <summary>Usage (Linux compatibility).</summary>
    public const int SHM_INFO = 14;

    /// <summary>Undo the operation at process exit.</summary>
    public const int SEM_UNDO = 0x1000;     // 010000
    /// <summary>semctl: processes waiting for the value to increase.</summary>
    public const int GETNCNT = 3;
    /// <summary>semctl: pid of the last operation.</summary>
    public const int GETPID = 4;
    /// <summary>semctl: value.</summary>
    public const int GETVAL = 5;
    /// <summary>semctl: all values.</summary>
    public const int GETALL = 6;
    /// <summary>semctl: processes waiting for zero.</summary>
    public const int GETZCNT = 7;
    /// <summary>semctl: set a value.</summary>
    public const int SETVAL = 8;
    /// <summary>semctl: set all values.</summary>
    public const int SETALL = 9;
    /// <summary>semctl: stat by index.</summary>
    public const int SEM_STAT = 10;
    /// <summary>semctl: info.</summary>
    public const int SEM_INFO = 11;

    /// <summary>Truncate a message that is too long instead of failing with E2BIG.</summary>
    public const int MSG_NOERROR = 0x1000;  // 010000

    /// <summary>The page size of the model.</summary>
    public const ulong PAGE_SIZE = 4096;
    /// <summary>Segment low boundary address multiple.</summary>
    public const ulong SHMLBA = 4096;

    /// <summary>Permission bits: owner read.</summary>
    public const int IPC_R = 0x100;         // 000400
    /// <summary>Permission bits: owner write/alter.</summary>
    public const int IPC_W = 0x080;         // 000200
    /// <summary>Permission bits: admin (owner or creator).</summary>
    public const int IPC_M = 0x1000;        // 010000
}
