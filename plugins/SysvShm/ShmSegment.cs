using Prison.Core.Ipc;
using Prison.Core.Ipc.Sysv;
using Prison.Core.Jails;

namespace Prison.Plugins.SysvShm;

/// <summary>
/// One shared memory segment (FreeBSD's <c>struct shmid_kernel</c>): its permissions, times, attach count,
/// creator jail and the bytes every attachment shares. Mutable fields are protected by <see cref="Gate"/>
/// (the object lock (o) of docs/locking.md; <see cref="Key"/>, <see cref="Removed"/> and <see cref="Freed"/>
/// change under the module lock and <see cref="Gate"/> together); the bytes by <see cref="DataGate"/>.
/// <see cref="Nattch"/> changes only under the address space lock of the attachment being added or removed
/// as well, so the module's invariant check, which holds every address space lock, sees it settled.
/// </summary>
internal sealed class ShmSegment
{
    public ShmSegment(JailReference creator, int key, uint uid, uint gid, int mode, ulong size, byte[] data, int cpid, long ctime)
    {
        CreatorReference = creator;
        Creator = creator.Jail;
        Key = key;
        Uid = Cuid = uid;
        Gid = Cgid = gid;
        Mode = mode & IpcPermissions.ACCESSPERMS;
        Size = size;
        Data = data;
        Cpid = cpid;
        Ctime = ctime;
    }

    /// <summary>The shmid, <c>(seq &lt;&lt; 16) | index</c>.</summary>
    public int Id { get; set; }

    /// <summary>The jail whose process created the segment (held until the segment is freed).</summary>
    public Jail Creator { get; }

    /// <summary>The segment's reference on <see cref="Creator"/>, taken once at creation, given back once when the segment is freed.</summary>
    public JailReference CreatorReference { get; }

    /// <summary>The key; IPC_PRIVATE once the segment is removed.</summary>
    public int Key { get; set; }

    public uint Uid { get; set; }

    public uint Gid { get; set; }

    public uint Cuid { get; }

    public uint Cgid { get; }

    /// <summary>The permission bits (<c>&amp; 0777</c>).</summary>
    public int Mode { get; set; }

    /// <summary>
    /// The segment's own lock (o): its permissions, times, attach count and the removed and freed flags.
    /// Taken after the module lock and after an address space's lock, never together with another
    /// segment's.
    /// </summary>
    public Lock Gate { get; } = new();

    /// <summary>
    /// Set (under the module lock and <see cref="Gate"/>) when the segment leaves the table: a call that
    /// found it by a lock-free lookup checks this under <see cref="Gate"/> and answers EINVAL.
    /// </summary>
    public bool Freed { get; set; }

    /// <summary>
    /// The lock of <see cref="Data"/>: loads and stores copy under it (and under no module lock), so a load
    /// never sees half of a concurrent store. Taken last (module → address space → segment → segment data).
    /// </summary>
    public Lock DataGate { get; } = new();

    private volatile bool _removed;

    /// <summary>
    /// SHMSEG_REMOVED: IPC_RMID (or jail cleanup) happened while attached; freed at the last detach. Written
    /// under the module lock and <see cref="Gate"/>, read lock-free by the shmget fast path and as a hint by
    /// lookups (checked again under <see cref="Gate"/>).
    /// </summary>
    public bool Removed
    {
        get => _removed;
        set => _removed = value;
    }

    /// <summary>shm_segsz: the size asked for, in bytes.</summary>
    public ulong Size { get; }

    /// <summary>The segment's memory: exactly <see cref="Size"/> bytes.</summary>
    public byte[] Data { get; }

    /// <summary>The length of a mapping of the segment: the size rounded up to whole pages.</summary>
    public ulong MapLength => RoundPage(Size);

    /// <summary>How many pages the segment charges against shmall.</summary>
    public long Pages => (long)(MapLength / IpcConstants.PAGE_SIZE);

    public int Nattch { get; set; }

    public int Cpid { get; }

    public int Lpid { get; set; }

    public long Atime { get; set; }

    public long Dtime { get; set; }

    public long Ctime { get; set; }

    /// <summary>The ipc_perm with FreeBSD's mode flags (SHMSEG_ALLOCATED, and SHMSEG_REMOVED when removed).</summary>
    public IpcPerm PermShowingKey(int key) => new(Cuid, Cgid, Uid, Gid,
        Mode | IpcConstants.SHMSEG_ALLOCATED | (Removed ? IpcConstants.SHMSEG_REMOVED : 0), IpcIds.SeqOf(Id), key);

    /// <summary>The permissions with the real key (for ipcperm).</summary>
    public IpcPerm Perm => PermShowingKey(Key);

    /// <summary>The status as a viewer sees it; the key is replaced by <paramref name="shownKey"/>.</summary>
    public ShmidDs ToDs(int shownKey) => new(PermShowingKey(shownKey), Size, Lpid, Cpid, Nattch, Atime, Dtime, Ctime);

    /// <summary>Rounds up to a whole number of pages (the caller guarantees no overflow: sizes are at most shmmax).</summary>
    public static ulong RoundPage(ulong size) => (size + IpcConstants.PAGE_SIZE - 1) & ~(IpcConstants.PAGE_SIZE - 1);
}
