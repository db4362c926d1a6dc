using Prison.Core.Ipc;
using Prison.Core.Ipc.Sysv;
using Prison.Core.Jails;

namespace Prison.Plugins.SysvSem;

/// <summary>One semaphore of a set (FreeBSD's <c>struct sem</c>).</summary>
internal struct Semaphore
{
    /// <summary>The value, 0..semvmx.</summary>
    public int Value;

    /// <summary>The pid of the last successful semop that named this semaphore (0: never).</summary>
    public int Pid;

    /// <summary>Threads blocked waiting for the value to increase.</summary>
    public int Ncnt;

    /// <summary>Threads blocked waiting for the value to become zero.</summary>
    public int Zcnt;
}

/// <summary>
/// A semaphore set (FreeBSD's <c>struct semid_kernel</c>). <see cref="Creator"/>, <see cref="Key"/>,
/// <see cref="Id"/> (set before the set is published), <see cref="Cuid"/> and <see cref="Cgid"/> never
/// change; every other field, the semaphores and <see cref="Waiters"/> are guarded by <see cref="Gate"/>,
/// the set's own lock (FreeBSD's per-set <c>sema_mtx</c>). See <see cref="SemFacility"/> for the lock order.
/// </summary>
internal sealed class SemSet
{
    public SemSet(JailReference creator, int key, uint uid, uint gid, int mode, int nsems, long ctime)
    {
        CreatorReference = creator;
        Creator = creator.Jail;
        Key = key;
        Cuid = Uid = uid;
        Cgid = Gid = gid;
        Mode = mode;
        Sems = new Semaphore[nsems];
        Ctime = ctime;
    }

    /// <summary>The set's lock: values, counters, times, permissions, <see cref="Removed"/> and the sleepers.</summary>
    public Lock Gate { get; } = new();

    /// <summary>The jail of the creating credential: key lookups and visibility depend on it.</summary>
    public Jail Creator { get; }

    /// <summary>The set's reference on <see cref="Creator"/>, taken once at creation, given back once when the set is removed.</summary>
    public JailReference CreatorReference { get; }

    /// <summary>The key it was created with.</summary>
    public int Key { get; }

    /// <summary>The id, set when the set takes its slot.</summary>
    public int Id { get; set; }

    public uint Cuid { get; }

    public uint Cgid { get; }

    public uint Uid { get; set; }

    public uint Gid { get; set; }

    /// <summary>The permission bits (<c>&amp; 0777</c>).</summary>
    public int Mode { get; set; }

    /// <summary>The semaphores.</summary>
    public Semaphore[] Sems { get; }

    /// <summary>Last semop time (unix seconds; 0: never).</summary>
    public long Otime { get; set; }

    /// <summary>Creation or last IPC_SET time.</summary>
    public long Ctime { get; set; }

    /// <summary>Set when the set is removed; sleepers then return EIDRM.</summary>
    public bool Removed { get; set; }

    /// <summary>The threads asleep in semop on this set, each with the operation it waits for.</summary>
    public List<SemWaiter> Waiters { get; } = [];

    /// <summary>The ipc_perm as the object holds it.</summary>
    public IpcPerm Perm => new(Cuid, Cgid, Uid, Gid, Mode, IpcIds.SeqOf(Id), Key);

    /// <summary>The status as <paramref name="viewer"/> sees it: the key is IPC_PRIVATE outside the creator's jail.</summary>
    public SemidDs StatFor(Jail viewer) =>
        new(Perm with { Key = SysvNamespaces.KeyAsSeenBy(viewer, Creator, Key) }, Sems.Length, Otime, Ctime);
}
