using Prison.Core;
using Prison.Core.Ipc;
using static Prison.Core.Ipc.IpcConstants;
using static Prison.SysvShm.Tests.ShmTestKernel;

namespace Prison.SysvShm.Tests;

/// <summary>shmctl(2): IPC_STAT, IPC_SET, IPC_RMID, errors in FreeBSD's order, deferred destruction.</summary>
public class ShmCtlTests
{
    [Fact]
    public void Errors_in_FreeBSD_order()
    {
        using var k = Boot();
        var owner = k.Spawn(k.Prison0, 770, 770);
        var stranger = k.Spawn(k.Prison0, 1001, 1001);
        var id = k.Create(owner, Key, 4096, IPC_CREAT | 0x180);
        var ds = default(ShmidDs);

        Assert.Equal(Errno.ENOSYS, k.Syscalls.ShmCtl(k.Spawn(k.NewJail("off", null)), id, 99, ref ds).Error);
        Assert.Equal(Errno.EINVAL, k.Syscalls.ShmCtl(owner, 4242, IPC_STAT, ref ds).Error);
        Assert.Equal(Errno.EINVAL, k.Syscalls.ShmCtl(owner, 4242, 99, ref ds).Error);
        Assert.Equal(Errno.EINVAL, k.Syscalls.ShmCtl(stranger, id, 99, ref ds).Error); // unknown command, after the lookup
        Assert.Equal(Errno.EINVAL, k.Syscalls.ShmCtl(owner, id, SHM_LOCK, ref ds).Error);
        Assert.Equal(Errno.EACCES, k.Syscalls.ShmCtl(stranger, id, IPC_STAT, ref ds).Error);
        Assert.Equal(Errno.EACCES, k.Syscalls.ShmCtl(stranger, id, IPC_SET, ref ds).Error);
        Assert.Equal(Errno.EACCES, k.Syscalls.ShmCtl(stranger, id, IPC_RMID, ref ds).Error);
        Assert.True(k.Stat(owner, id).Ok);
    }

    [Fact]
    public void IPC_SET_changes_owner_group_and_permission_bits_only()
    {
        var time = new ManualTime(100);
        using var k = Boot(time);
        var owner = k.Spawn(k.Prison0, 770, 770);
        var id = k.Create(owner, Key, 4096, IPC_CREAT | 0x180);
        var ds = k.Stat(owner, id).Value;
        time.Seconds = 200;
        ds.Perm = ds.Perm with { Uid = 800, Gid = 801, Mode = 0x7ff, Cuid = 5, Key = 7 };
        Assert.True(k.Syscalls.ShmCtl(owner, id, IPC_SET, ref ds).Ok);
        var after = k.Stat(owner, id).Value; // the creator keeps IPC_M and, with 0777, read
        Assert.Equal(new IpcPerm(770, 770, 800, 801, 0x1ff | SHMSEG_ALLOCATED, 1, Key), after.Perm);
        Assert.Equal(200, after.Ctime);
        // The new owner administers it; a group member reads it.
        var newOwner = k.Spawn(k.Prison0, 800, 1);
        Assert.Equal(Errno.OK, k.Rmid(newOwner, id));
    }

    [Fact]
    public void Root_of_the_namespace_bypasses_permissions()
    {
        using var k = Boot();
        var jail = k.NewJail("pg", "new");
        var user = k.Spawn(jail, 770, 770);
        var id = k.Create(user, Key, 4096, IPC_CREAT);  // mode 0: nobody but privilege
        Assert.True(k.Stat(k.Spawn(jail), id).Ok);
        Assert.True(k.Syscalls.ShmAt(k.Spawn(jail), id, 0, 0).Ok);
        Assert.Equal(Errno.EACCES, k.Stat(user, id).Error);
        Assert.Equal(Errno.OK, k.Rmid(k.Init, id)); // host root, by id
    }

    [Fact]
    public void IPC_RMID_while_attached_defers_destruction_to_the_last_detach()
    {
        using var k = Boot();
        var a = k.Spawn(k.Prison0, 770, 770);
        var b = k.Spawn(k.Prison0, 770, 770);
        var id = k.Create(a, Key, 4096);
        var atA = k.Attach(a, id);
        var atB = k.Attach(b, id);
        Assert.Equal(Errno.OK, k.Rmid(a, id));
        var ds = k.Stat(a, id).Value;
        Assert.True(ds.IsDest());
        Assert.Equal(0, ds.Perm.Key);
        Assert.Equal(2, ds.Nattch);
        Assert.Equal(Errno.OK, k.Rmid(b, id)); // removing again is fine while it lingers
        Assert.Contains(k.Segments(k.Init), s => s.Id == id);
        Assert.Equal(MemFault.None, k.Syscalls.ShmWrite(a, atA, "still here"u8));

        Assert.Equal(Errno.OK, k.Syscalls.ShmDt(a, atA));
        Assert.True(k.Stat(b, id).Ok);
        Assert.Equal(Errno.OK, k.Syscalls.ShmDt(b, atB));
        Assert.Equal(Errno.EINVAL, k.Stat(b, id).Error);
        Assert.DoesNotContain(k.Segments(k.Init), s => s.Id == id);
    }

    [Fact]
    public void Unattached_IPC_RMID_frees_at_once_and_gives_the_pages_back()
    {
        using var k = Boot();
        Assert.Equal(Errno.OK, k.Sysctl.Write(k.Init.Cred, "kern.ipc.shmall", "2"));
        var id = k.Create(k.Init, IPC_PRIVATE, 8192);
        Assert.Equal(Errno.ENOMEM, k.Syscalls.ShmGet(k.Init, IPC_PRIVATE, 1, 0).Error);
        Assert.Equal(Errno.OK, k.Rmid(k.Init, id));
        Assert.Equal(Errno.EINVAL, k.Stat(k.Init, id).Error);
        Assert.True(k.Syscalls.ShmGet(k.Init, IPC_PRIVATE, 8192, 0).Ok);
    }

    [Fact]
    public void IPC_STAT_shows_key_0_to_other_jails_and_SHM_STAT_and_IPC_INFO_work()
    {
        using var k = Boot();
        var jail = k.NewJail("pg", "new");
        var inJail = k.Spawn(jail);
        var id = k.Create(inJail, Key);
        Assert.Equal(Key, k.Stat(inJail, id).Value.Perm.Key);
        Assert.Equal(0, k.Stat(k.Init, id).Value.Perm.Key);

        var ds = default(ShmidDs);
        var r = k.Syscalls.ShmCtl(k.Init, IpcIds_IndexOf(id), SHM_STAT, ref ds);
        Assert.Equal(id, r.Value);
        Assert.Equal(4096UL, ds.Segsz);
        Assert.Equal(Errno.EINVAL, k.Syscalls.ShmCtl(k.Init, 7, SHM_STAT, ref ds).Error);
        Assert.Equal(192, k.Syscalls.ShmCtl(k.Init, 0, IPC_INFO, ref ds).Value);
        Assert.Equal(192, k.Syscalls.ShmCtl(k.Init, 0, SHM_INFO, ref ds).Value);
    }

    private static int IpcIds_IndexOf(int id) => Prison.Core.Ipc.Sysv.IpcIds.IndexOf(id);
}
