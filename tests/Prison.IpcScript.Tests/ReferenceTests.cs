namespace Prison.IpcScript.Tests;

public class ReferenceTests
{
    [Fact]
    public void References_count_across_kinds_and_are_reused_for_the_same_live_object()
    {
        var h = new SessionHarness();
        Assert.Equal("ok $0", h.Run("shmget 5 100 IPC_CREAT"));   // id 65536
        Assert.Equal("ok $1", h.Run("semget 5 1 IPC_CREAT"));     // id 65537
        Assert.Equal("ok $2", h.Run("msgget 5 IPC_CREAT"));       // id 65538
        Assert.Equal("ok $3", h.Run("shmget 6 100 IPC_CREAT"));
        Assert.Equal("shmstat 65536", h.Run("shmctl $0 IPC_STAT") is not null ? h.Backend.Calls[^1] : null);
    }

    [Fact]
    public void The_same_raw_id_of_the_same_kind_maps_to_the_earlier_reference()
    {
        var backend = new ReplayBackend([65536, 65536, 65536]);
        var session = new IpcScriptSession(backend);
        Assert.Equal("ok $0", session.Execute("shmget 5 100 IPC_CREAT"));
        Assert.Equal("ok $0", session.Execute("shmget 5 0 0"));
        Assert.Equal("ok $1", session.Execute("msgget 5 0")); // same raw id, other kind
    }

    [Fact]
    public void A_removed_reference_is_never_reused_but_still_usable()
    {
        var backend = new ReplayBackend([65536, 65536]);
        var session = new IpcScriptSession(backend);
        Assert.Equal("ok $0", session.Execute("shmget 5 100 IPC_CREAT"));
        Assert.Equal("ok", session.Execute("shmctl $0 IPC_RMID"));
        Assert.Equal("ok $1", session.Execute("shmget 5 100 IPC_CREAT"));
        Assert.Equal("ok", session.Execute("shmctl $0 IPC_RMID")); // the raw id still goes to the kernel
        Assert.Equal("shmrmid 65536", backend.Calls[^1]);
    }

    [Fact]
    public void A_failed_rmid_does_not_remove()
    {
        var backend = new ReplayBackend([65536, 65536]);
        var session = new IpcScriptSession(backend);
        session.Execute("semget 5 1 IPC_CREAT");
        backend.FailNext = "EPERM";
        Assert.Equal("err EPERM", session.Execute("semctl $0 0 IPC_RMID"));
        Assert.Equal("ok $0", session.Execute("semget 5 1 0"));
    }

    [Fact]
    public void A_raw_rmid_command_removes_too()
    {
        var backend = new ReplayBackend([65536, 65536]);
        var session = new IpcScriptSession(backend);
        session.Execute("msgget 5 IPC_CREAT");
        Assert.Equal("ok 0", session.Execute("msgctl $0 0"));
        Assert.Equal("ok $1", session.Execute("msgget 5 IPC_CREAT"));
    }

    [Theory]
    [InlineData("shmctl $3 IPC_STAT")]     // undefined
    [InlineData("shmctl $1 IPC_STAT")]     // a semaphore set
    [InlineData("semop $0 0:1:0")]         // a segment
    [InlineData("msgctl $0 IPC_STAT")]
    [InlineData("shmctl $ IPC_STAT")]
    [InlineData("shmctl $-1 IPC_STAT")]
    [InlineData("shmctl $0x IPC_STAT extra")]
    [InlineData("shmctl $99999999999 IPC_STAT")]
    [InlineData("shmat $1 0")]
    public void Bad_dollar_references_are_bad_ref(string line) =>
        new SessionHarness().With("shmget 1 10 IPC_CREAT", "semget 1 1 IPC_CREAT").Rejects(line, "bad ref");

    [Theory]
    [InlineData("shmctl x IPC_STAT")]
    [InlineData("shmctl 0x10 IPC_STAT")]
    [InlineData("shmctl @0 IPC_STAT")]
    public void Other_malformed_references_are_bad_number(string line) => new SessionHarness().Rejects(line, "bad number");

    [Fact]
    public void A_bare_integer_is_the_raw_id()
    {
        var h = new SessionHarness();
        Assert.Equal("ok", h.Run("shmctl -1 IPC_RMID"));
        Assert.Equal("shmrmid -1", h.Backend.Calls[^1]);
    }

    /// <summary>A fake whose get calls return scripted ids.</summary>
    private sealed class ReplayBackend(int[] ids) : IIpcBackend
    {
        private readonly FakeBackend _inner = new();
        private int _next;

        public List<string> Calls => _inner.Calls;

        public string? FailNext { set => _inner.FailNext = value; }

        public IpcPlatform Platform => _inner.Platform;

        private IpcResult<int> Next(IpcResult<int> r) => r.Ok ? IpcResult<int>.Success(ids[_next++]) : r;

        public IpcResult<int> ShmGet(int key, ulong size, int flags) => Next(_inner.ShmGet(key, size, flags));
        public IpcResult<int> SemGet(int key, int nsems, int flags) => Next(_inner.SemGet(key, nsems, flags));
        public IpcResult<int> MsgGet(int key, int flags) => Next(_inner.MsgGet(key, flags));
        public IpcResult<ulong> ShmAt(int shmid, ulong address, int flags, IpcRange? reusing) => _inner.ShmAt(shmid, address, flags, reusing);
        public IpcResult ShmDt(ulong address, IpcRange reserve) => _inner.ShmDt(address, reserve);
        public IpcResult<ShmStat> ShmStat(int shmid) => _inner.ShmStat(shmid);
        public IpcResult ShmSet(int shmid, uint uid, uint gid, int mode) => _inner.ShmSet(shmid, uid, gid, mode);
        public IpcResult ShmRemove(int shmid) => _inner.ShmRemove(shmid);
        public IpcResult<int> ShmControl(int shmid, int cmd) => _inner.ShmControl(shmid, cmd);
        public ShmStat? PeekShm(int shmid) => _inner.PeekShm(shmid);
        public Prison.Core.Ipc.MemFault Read(ulong address, Span<byte> destination) => _inner.Read(address, destination);
        public Prison.Core.Ipc.MemFault Write(ulong address, ReadOnlySpan<byte> source) => _inner.Write(address, source);
        public IpcResult SemOp(int semid, ReadOnlySpan<Prison.Core.Ipc.SemBuf> operations) => _inner.SemOp(semid, operations);
        public IpcResult<int> SemGetCount(int semid, int semnum, SemCountQuery query) => _inner.SemGetCount(semid, semnum, query);
        public IpcResult<PidClass> SemGetPid(int semid, int semnum) => _inner.SemGetPid(semid, semnum);
        public IpcResult<ushort[]> SemGetAll(int semid, int semnum) => _inner.SemGetAll(semid, semnum);
        public IpcResult SemSetValue(int semid, int semnum, int value) => _inner.SemSetValue(semid, semnum, value);
        public IpcResult SemSetAll(int semid, int semnum, ushort[] values) => _inner.SemSetAll(semid, semnum, values);
        public IpcResult<SemStat> SemStat(int semid, int semnum) => _inner.SemStat(semid, semnum);
        public IpcResult SemSet(int semid, int semnum, uint uid, uint gid, int mode) => _inner.SemSet(semid, semnum, uid, gid, mode);
        public IpcResult SemRemove(int semid, int semnum) => _inner.SemRemove(semid, semnum);
        public IpcResult<int> SemControl(int semid, int semnum, int cmd) => _inner.SemControl(semid, semnum, cmd);
        public SemStat? PeekSem(int semid) => _inner.PeekSem(semid);
        public IpcResult MsgSnd(int msqid, long type, ReadOnlySpan<byte> body, ulong msgsz, int flags) => _inner.MsgSnd(msqid, type, body, msgsz, flags);
        public IpcResult<MsgReceived> MsgRcv(int msqid, ulong msgsz, int bufferSize, long msgtyp, int flags) => _inner.MsgRcv(msqid, msgsz, bufferSize, msgtyp, flags);
        public IpcResult<MsgStat> MsgStat(int msqid) => _inner.MsgStat(msqid);
        public IpcResult MsgSet(int msqid, uint uid, uint gid, int mode, ulong qbytes) => _inner.MsgSet(msqid, uid, gid, mode, qbytes);
        public IpcResult MsgRemove(int msqid) => _inner.MsgRemove(msqid);
        public IpcResult<int> MsgControl(int msqid, int cmd) => _inner.MsgControl(msqid, cmd);
        public MsgStat? PeekMsg(int msqid) => _inner.PeekMsg(msqid);
        public IpcResult SetUid(uint uid) => _inner.SetUid(uid);
        public IpcResult SetGid(uint gid) => _inner.SetGid(gid);
        public IpcResult SetLimit(string name, long value) => _inner.SetLimit(name, value);
    }
}
