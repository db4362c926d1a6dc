using Prison.Core.Ipc;

namespace Prison.IpcScript.Tests;

/// <summary>
/// A scripted back end: get calls hand out ids, shmat hands out page-aligned addresses, and every call
/// is recorded so tests can see what reached the "kernel" (and that a bad line reached nothing).
/// </summary>
internal sealed class FakeBackend(IpcPlatform? platform = null) : IIpcBackend
{
    private readonly Dictionary<ulong, byte[]> _memory = [];
    private ulong _nextAddress = 0x7000_0000;
    private int _nextId = 65536;

    public IpcPlatform Platform { get; } = platform ?? IpcPlatform.FreeBsd;

    public List<string> Calls { get; } = [];

    /// <summary>When set, the next call fails with this errno name (then it is cleared).</summary>
    public string? FailNext { get; set; }

    public bool BlockNext { get; set; }

    public Dictionary<int, ulong> Segsz { get; } = [];

    public Dictionary<int, int> Nsems { get; } = [];

    public SemBuf[] LastSops { get; private set; } = [];

    public ulong LastMsgsz { get; private set; }

    public byte[] LastBody { get; private set; } = [];

    private IpcResult? Planned(string call)
    {
        Calls.Add(call);
        if (BlockNext)
        {
            BlockNext = false;
            return IpcResult.Blocked;
        }
        if (FailNext is { } name)
        {
            FailNext = null;
            return IpcResult.Fail(name);
        }
        return null;
    }

    private IpcResult<T> Give<T>(string call, Func<T> value) => Planned(call) is { } r ? r : IpcResult<T>.Success(value());

    private IpcResult Do(string call) => Planned(call) ?? IpcResult.Success;

    private static IpcPermStat Perm => new(42, 0, 0, 0, 0, 0x1B6);

    public IpcResult<int> ShmGet(int key, ulong size, int flags) => Give($"shmget {key} {size} {flags}", () =>
    {
        var id = _nextId++;
        Segsz[id] = size;
        return id;
    });

    public IpcResult<ulong> ShmAt(int shmid, ulong address, int flags, IpcRange? reusing) =>
        Give($"shmat {shmid} {address} {flags}", () =>
        {
            var at = address != 0 ? address : (_nextAddress += 0x100000);
            _memory[at] = new byte[Segsz.GetValueOrDefault(shmid, 4096UL)];
            return at;
        });

    public IpcResult ShmDt(ulong address, IpcRange reserve) => Do($"shmdt {address}");

    public IpcResult<ShmStat> ShmStat(int shmid) =>
        Give($"shmstat {shmid}", () => new ShmStat(Perm, true, Segsz.GetValueOrDefault(shmid), 2, PidClass.Self, PidClass.Other, true, false, true));

    public IpcResult ShmSet(int shmid, uint uid, uint gid, int mode) => Do($"shmset {shmid} {uid} {gid} {mode}");

    public IpcResult ShmRemove(int shmid) => Do($"shmrmid {shmid}");

    public IpcResult<int> ShmControl(int shmid, int cmd) => Give($"shmctl {shmid} {cmd}", () => 0);

    public ShmStat? PeekShm(int shmid) =>
        Segsz.TryGetValue(shmid, out var size) ? new ShmStat(Perm with { Uid = 7, Gid = 8, Mode = 0x1A4 }, false, size, 0, PidClass.None, PidClass.None, false, false, true) : null;

    private Span<byte> At(ulong address, int length)
    {
        var (start, bytes) = _memory.Last(m => m.Key <= address);
        return bytes.AsSpan((int)(address - start), length);
    }

    public MemFault Read(ulong address, Span<byte> destination)
    {
        Calls.Add($"read {address} {destination.Length}");
        At(address, destination.Length).CopyTo(destination);
        return MemFault.None;
    }

    public MemFault Write(ulong address, ReadOnlySpan<byte> source)
    {
        Calls.Add($"write {address} {source.Length}");
        source.CopyTo(At(address, source.Length));
        return MemFault.None;
    }

    public IpcResult<int> SemGet(int key, int nsems, int flags) => Give($"semget {key} {nsems} {flags}", () =>
    {
        var id = _nextId++;
        Nsems[id] = nsems;
        return id;
    });

    public IpcResult SemOp(int semid, ReadOnlySpan<SemBuf> operations)
    {
        LastSops = operations.ToArray();
        return Do($"semop {semid} {operations.Length}");
    }

    public IpcResult<int> SemGetCount(int semid, int semnum, SemCountQuery query) => Give($"semcount {semid} {semnum} {query}", () => 3);

    public IpcResult<PidClass> SemGetPid(int semid, int semnum) => Give($"getpid {semid}", () => PidClass.Other);

    public IpcResult<ushort[]> SemGetAll(int semid, int semnum) =>
        Give($"getall {semid}", () => Enumerable.Range(1, Nsems.GetValueOrDefault(semid)).Select(i => (ushort)i).ToArray());

    public IpcResult SemSetValue(int semid, int semnum, int value) => Do($"setval {semid} {semnum} {value}");

    public IpcResult SemSetAll(int semid, int semnum, ushort[] values) => Do($"setall {semid} {string.Join(',', values)}");

    public IpcResult<SemStat> SemStat(int semid, int semnum) => Give($"semstat {semid}", () => new SemStat(Perm, 3, false, true));

    public IpcResult SemSet(int semid, int semnum, uint uid, uint gid, int mode) => Do($"semset {semid} {uid} {gid} {mode}");

    public IpcResult SemRemove(int semid, int semnum) => Do($"semrmid {semid}");

    public IpcResult<int> SemControl(int semid, int semnum, int cmd) => Give($"semctl {semid} {semnum} {cmd}", () => 5);

    public SemStat? PeekSem(int semid) => Nsems.TryGetValue(semid, out var n) ? new SemStat(Perm, (ulong)n, false, true) : null;

    public IpcResult<int> MsgGet(int key, int flags) => Give($"msgget {key} {flags}", () => _nextId++);

    public IpcResult MsgSnd(int msqid, long type, ReadOnlySpan<byte> body, ulong msgsz, int flags)
    {
        LastBody = body.ToArray();
        LastMsgsz = msgsz;
        return Do($"msgsnd {msqid} {type} {flags}");
    }

    public IpcResult<MsgReceived> MsgRcv(int msqid, ulong msgsz, int bufferSize, long msgtyp, int flags) =>
        Give($"msgrcv {msqid} {msgsz} {bufferSize} {msgtyp} {flags}", () => new MsgReceived(LastBody.Length, 9, LastBody));

    public IpcResult<MsgStat> MsgStat(int msqid) =>
        Give($"msgstat {msqid}", () => new MsgStat(Perm with { Key = -5, Uid = 4294967294 }, 1, 2048, 3, PidClass.Self, PidClass.None, true, false, true));

    public IpcResult MsgSet(int msqid, uint uid, uint gid, int mode, ulong qbytes) => Do($"msgset {msqid} {uid} {gid} {mode} {qbytes}");

    public IpcResult MsgRemove(int msqid) => Do($"msgrmid {msqid}");

    public IpcResult<int> MsgControl(int msqid, int cmd) => Give($"msgctl {msqid} {cmd}", () => 0);

    public MsgStat? PeekMsg(int msqid) => new(Perm with { Uid = 11, Gid = 12, Mode = 0x180 }, 0, 777, 0, PidClass.None, PidClass.None, false, false, true);

    public IpcResult SetUid(uint uid) => Do($"setuid {uid}");

    public IpcResult SetGid(uint gid) => Do($"setgid {gid}");

    public IpcResult SetLimit(string name, long value) => Do($"limit {name} {value}");
}
