using System.Buffers.Binary;

namespace Prison.IpcScript.Linux;

/// <summary>
/// Field offsets of glibc's x86_64 <c>struct ipc_perm</c>, <c>shmid_ds</c>, <c>semid_ds</c> and
/// <c>msqid_ds</c> (the kernel's ipc64_perm / shmid64_ds / semid64_ds / msqid64_ds), read and written
/// through byte buffers so no managed struct layout can drift from the C one.
/// </summary>
internal static class LinuxLayout
{
    // struct ipc_perm: key 0, uid 4, gid 8, cuid 12, cgid 16, mode 20 (the kernel's is 32 bits), seq 24; size 48.
    public const int PermKey = 0;
    public const int PermUid = 4;
    public const int PermGid = 8;
    public const int PermCuid = 12;
    public const int PermCgid = 16;
    public const int PermMode = 20;

    // struct shmid_ds: perm 0, segsz 48, atime 56, dtime 64, ctime 72, cpid 80, lpid 84, nattch 88; size 112.
    public const int ShmSegsz = 48;
    public const int ShmAtime = 56;
    public const int ShmDtime = 64;
    public const int ShmCtime = 72;
    public const int ShmCpid = 80;
    public const int ShmLpid = 84;
    public const int ShmNattch = 88;

    // struct semid_ds: perm 0, otime 48, ctime 64, nsems 80; size 104.
    public const int SemOtime = 48;
    public const int SemCtime = 64;
    public const int SemNsems = 80;

    // struct msqid_ds: perm 0, stime 48, rtime 56, ctime 64, cbytes 72, qnum 80, qbytes 88, lspid 96, lrpid 100; size 120.
    public const int MsgStime = 48;
    public const int MsgRtime = 56;
    public const int MsgCtime = 64;
    public const int MsgCbytes = 72;
    public const int MsgQnum = 80;
    public const int MsgQbytes = 88;
    public const int MsgLspid = 96;
    public const int MsgLrpid = 100;

    /// <summary>SHM_DEST in a segment's mode (include/uapi/linux/shm.h, 01000).</summary>
    public const int ShmDest = 0x200;

    /// <summary>The size of every buffer handed to a ctl call: large enough for each struct, and the 8 KiB raw commands get.</summary>
    public const int BufferBytes = 8192;

    public static int I32(ReadOnlySpan<byte> b, int at) => BinaryPrimitives.ReadInt32LittleEndian(b[at..]);

    public static uint U32(ReadOnlySpan<byte> b, int at) => BinaryPrimitives.ReadUInt32LittleEndian(b[at..]);

    public static ulong U64(ReadOnlySpan<byte> b, int at) => BinaryPrimitives.ReadUInt64LittleEndian(b[at..]);

    public static void Put32(Span<byte> b, int at, uint value) => BinaryPrimitives.WriteUInt32LittleEndian(b[at..], value);

    public static void Put64(Span<byte> b, int at, ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(b[at..], value);

    public static IpcPermStat Perm(ReadOnlySpan<byte> b) =>
        new(I32(b, PermKey), U32(b, PermUid), U32(b, PermGid), U32(b, PermCuid), U32(b, PermCgid), BinaryPrimitives.ReadUInt16LittleEndian(b[PermMode..]));

    /// <summary>Writes the fields IPC_SET reads.</summary>
    public static void PutPerm(Span<byte> b, uint uid, uint gid, int mode)
    {
        Put32(b, PermUid, uid);
        Put32(b, PermGid, gid);
        Put32(b, PermMode, (uint)mode);
    }
}
