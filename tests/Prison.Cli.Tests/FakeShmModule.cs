using Prison.Core;
using Prison.Core.Ipc;
using Prison.Core.Ipc.Sysv;
using Prison.Core.Jails;
using Prison.Core.Modules;
using Prison.Core.Procs;
using Prison.Core.Sysctl;

namespace Prison.Cli.Tests;

/// <summary>
/// A minimal shared memory module linked into the tests (the real plugin is built elsewhere): shmget
/// with per-jail keys, IPC_RMID, and kern.ipc.shmsegs with FreeBSD's visibility rules, enough to test
/// what ipcs and ipcrm print and call.
/// </summary>
internal sealed class FakeShmModule : KernelModule
{
    // Protects _segments and _seq.
    private readonly Lock _lock = new();
    private readonly List<(int Id, int Key, Jail Creator, ShmidDs Ds)> _segments = [];
    private int _seq;
    private SysvNamespaces _ns = null!;

    public override string Name => "sysvshm";

    public override void Load(ModuleContext context)
    {
        _ns = SysvNamespaces.Register(context, "sysvshm", "SYSV shared memory", Cleanup);
        context.RegisterSyscalls<IShmSyscalls>(new Calls(this));
        context.RegisterSysctl(new SysctlOpaque<ShmSegmentInfo>("kern.ipc.shmsegs", "Array of struct shmid_kernel", List));
    }

    public override Errno QueryUnload(ModuleContext context)
    {
        lock (_lock)
            return _segments.Count > 0 ? Errno.EBUSY : Errno.OK;
    }

    private void Cleanup(Jail jail)
    {
        lock (_lock)
            _segments.RemoveAll(s => ReferenceEquals(s.Creator, jail));
    }

    private IReadOnlyList<ShmSegmentInfo> List(Ucred caller)
    {
        if (_ns.RootOf(caller.Jail) is not { } root)
            return [];
        lock (_lock)
        {
            return _segments.Where(s => SysvNamespaces.CanSee(root, s.Creator))
                .Select(s => new ShmSegmentInfo(s.Id, s.Ds with { Perm = s.Ds.Perm with { Key = SysvNamespaces.KeyAsSeenBy(caller.Jail, s.Creator, s.Key) } }, s.Creator.Id))
                .ToArray();
        }
    }

    private sealed class Calls(FakeShmModule m) : IShmSyscalls
    {
        public SysResult<int> ShmGet(Proc p, int key, ulong size, int shmflg)
        {
            if (m._ns.RootOf(p.Jail) is null)
                return Errno.ENOSYS;
            lock (m._lock)
            {
                if (key != IpcConstants.IPC_PRIVATE && m._segments.FirstOrDefault(s => s.Key == key && SysvNamespaces.KeyMatches(p.Jail, s.Creator)) is { Id: not 0 } found)
                {
                    if ((shmflg & (IpcConstants.IPC_CREAT | IpcConstants.IPC_EXCL)) == (IpcConstants.IPC_CREAT | IpcConstants.IPC_EXCL))
                        return Errno.EEXIST;
                    return SysResult<int>.Success(found.Id);
                }
                if ((shmflg & IpcConstants.IPC_CREAT) == 0 && key != IpcConstants.IPC_PRIVATE)
                    return Errno.ENOENT;
                if (size == 0)
                    return Errno.EINVAL;
                var id = (++m._seq << 16) | m._segments.Count;
                var perm = new IpcPerm(p.Cred.Uid, p.Cred.Gid, p.Cred.Uid, p.Cred.Gid, shmflg & 0x1ff, (ushort)m._seq, key);
                m._segments.Add((id, key, p.Jail, new ShmidDs(perm, size, 0, p.Pid, 0, 0, 0, 0)));
                return SysResult<int>.Success(id);
            }
        }

        public SysResult<int> ShmCtl(Proc p, int shmid, int cmd, ref ShmidDs buf)
        {
            if (m._ns.RootOf(p.Jail) is not { } root)
                return Errno.ENOSYS;
            lock (m._lock)
            {
                var i = m._segments.FindIndex(s => s.Id == shmid && SysvNamespaces.CanSee(root, s.Creator));
                if (i < 0 || cmd != IpcConstants.IPC_RMID)
                    return Errno.EINVAL;
                m._segments.RemoveAt(i);
                return SysResult<int>.Success(0);
            }
        }

        public SysResult<ulong> ShmAt(Proc p, int shmid, ulong shmaddr, int shmflg) => Errno.ENOSYS;

        public Errno ShmDt(Proc p, ulong shmaddr) => Errno.ENOSYS;

        public MemFault Read(Proc p, ulong addr, Span<byte> destination) => MemFault.SIGSEGV;

        public MemFault Write(Proc p, ulong addr, ReadOnlySpan<byte> source) => MemFault.SIGSEGV;
    }
}
