using Prison.Core;
using Prison.Core.Ipc;
using static Prison.Core.Ipc.IpcConstants;
using static Prison.SysvShm.Tests.ShmTestKernel;

namespace Prison.SysvShm.Tests;

/// <summary>
/// The FreeBSD 11 SYSVIPC note (docs/background.md): two PostgreSQL jails with <c>sysvshm = new</c>, both uid 770, both using key 5432001. Each
/// jail sees only its own segment, with its key; the host sees both, with key 0 and owner 770.
/// </summary>
public class PostgresJailsTests
{
    [Fact]
    public void Two_jails_same_key_separate_segments()
    {
        using var k = Boot();
        var pg1 = k.NewJail("pgsql01", "new");
        var pg2 = k.NewJail("pgsql02", "new");
        var pg1Proc = k.Spawn(pg1, 770, 770);
        var pg2Proc = k.Spawn(pg2, 770, 770);

        var id1 = k.Create(pg1Proc, Key, MiB, IPC_CREAT | IPC_EXCL | 0x180);
        var id2 = k.Create(pg2Proc, Key, MiB, IPC_CREAT | IPC_EXCL | 0x180);
        Assert.NotEqual(id1, id2);
        Assert.Equal(id1, k.Syscalls.ShmGet(pg1Proc, Key, 0, 0).Value);
        Assert.Equal(id2, k.Syscalls.ShmGet(pg2Proc, Key, 0, 0).Value);

        Assert.Equal([(id1, Key, 770u, 770u)], Rows(k.Segments(pg1Proc)));
        Assert.Equal([(id2, Key, 770u, 770u)], Rows(k.Segments(pg2Proc)));
        Assert.Equal([(id1, 0, 770u, 770u), (id2, 0, 770u, 770u)], Rows(k.Segments(k.Init)));

        // Each jail's memory is its own.
        var at1 = k.Attach(pg1Proc, id1);
        var at2 = k.Attach(pg2Proc, id2);
        Assert.Equal(MemFault.None, k.Syscalls.ShmWrite(pg1Proc, at1, "pg1"u8));
        var buf = new byte[3];
        Assert.Equal(MemFault.None, k.Syscalls.ShmRead(pg2Proc, at2, buf));
        Assert.Equal(new byte[3], buf);
        // And neither can reach the other's by id.
        Assert.Equal(Errno.EINVAL, k.Syscalls.ShmAt(pg2Proc, id1, 0, 0).Error);
        Assert.Equal(Errno.EINVAL, k.Stat(pg1Proc, id2).Error);
    }

    private static (int Id, int Key, uint Uid, uint Gid)[] Rows(IReadOnlyList<ShmSegmentInfo> list) =>
        list.Select(s => (s.Id, s.Ds.Perm.Key, s.Ds.Perm.Uid, s.Ds.Perm.Gid)).ToArray();
}
