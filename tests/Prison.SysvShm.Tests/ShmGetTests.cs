using Prison.Core;
using Prison.Core.Ipc;
using static Prison.Core.Ipc.IpcConstants;
using static Prison.SysvShm.Tests.ShmTestKernel;

namespace Prison.SysvShm.Tests;

/// <summary>shmget(2): every error, in FreeBSD's order.</summary>
public class ShmGetTests
{
    [Fact]
    public void Disabled_jail_gets_ENOSYS_before_anything_else()
    {
        using var k = Boot();
        var jail = k.NewJail("off", null);
        var p = k.Spawn(jail);
        Assert.Equal(Errno.ENOSYS, k.Syscalls.ShmGet(p, Key, ulong.MaxValue, IPC_CREAT).Error);
        Assert.Equal(Errno.ENOSYS, k.Syscalls.ShmGet(p, IPC_PRIVATE, 4096, 0).Error);
    }

    [Fact]
    public void First_id_is_65536_and_a_reused_slot_bumps_the_sequence()
    {
        using var k = Boot();
        var a = k.Create(k.Init, IPC_PRIVATE);
        Assert.Equal(65536, a);
        Assert.Equal(Errno.OK, k.Rmid(k.Init, a));
        var b = k.Create(k.Init, IPC_PRIVATE);
        Assert.Equal(131072, b);
        var c = k.Create(k.Init, IPC_PRIVATE);
        Assert.Equal(65537, c);
        Assert.Equal(Errno.EINVAL, k.Stat(k.Init, a).Error); // the stale id never reaches the new object
    }

    [Fact]
    public void Existing_key_returns_the_same_id_without_a_permission_check()
    {
        using var k = Boot();
        var owner = k.Spawn(k.Prison0, 770, 770);
        var stranger = k.Spawn(k.Prison0, 1001, 1001);
        var id = k.Create(owner, Key, 8192, IPC_CREAT | 0x180);
        Assert.Equal(id, k.Syscalls.ShmGet(stranger, Key, 0, 0).Value);
        Assert.Equal(id, k.Syscalls.ShmGet(stranger, Key, 8192, 0x1b6).Value);
        Assert.Equal(id, k.Syscalls.ShmGet(stranger, Key, 100, IPC_CREAT).Value);
    }

    [Fact]
    public void Existing_key_EEXIST_comes_before_the_size_check()
    {
        using var k = Boot();
        k.Create(k.Init, Key, 4096);
        Assert.Equal(Errno.EEXIST, k.Syscalls.ShmGet(k.Init, Key, 1 << 30, IPC_CREAT | IPC_EXCL).Error);
        Assert.Equal(Errno.EINVAL, k.Syscalls.ShmGet(k.Init, Key, 4097, IPC_CREAT).Error);
        Assert.Equal(Errno.EINVAL, k.Syscalls.ShmGet(k.Init, Key, 4097, 0).Error);
        Assert.True(k.Syscalls.ShmGet(k.Init, Key, 0, IPC_EXCL).Ok); // IPC_EXCL alone means nothing
    }

    [Fact]
    public void Missing_key_without_IPC_CREAT_is_ENOENT_before_any_size_check()
    {
        using var k = Boot();
        Assert.Equal(Errno.ENOENT, k.Syscalls.ShmGet(k.Init, Key, ulong.MaxValue, 0).Error);
        Assert.Equal(Errno.ENOENT, k.Syscalls.ShmGet(k.Init, Key, 0, IPC_EXCL).Error);
    }

    [Fact]
    public void New_segment_size_limits_then_shmmni_then_shmall()
    {
        using var k = Boot();
        Assert.Equal(Errno.EINVAL, k.Syscalls.ShmGet(k.Init, IPC_PRIVATE, 0, 0).Error); // below shmmin (1)
        Assert.Equal(Errno.EINVAL, k.Syscalls.ShmGet(k.Init, Key, (ulong)k.Sysctl("kern.ipc.shmmax") + 1, IPC_CREAT).Error);
        Assert.Equal(Errno.EINVAL, k.Syscalls.ShmGet(k.Init, Key, ulong.MaxValue, IPC_CREAT).Error);

        Assert.Equal(Errno.OK, k.Sysctl.Write(k.Init.Cred, "kern.ipc.shmmni", "2"));
        Assert.Equal(Errno.OK, k.Sysctl.Write(k.Init.Cred, "kern.ipc.shmall", "3"));
        k.Create(k.Init, IPC_PRIVATE, 4096);
        Assert.Equal(Errno.ENOMEM, k.Syscalls.ShmGet(k.Init, IPC_PRIVATE, 3 * 4096, 0).Error); // 1 + 3 pages > 3
        k.Create(k.Init, IPC_PRIVATE, 2 * 4096 - 1); // rounds to 2 pages: exactly shmall
        // Both limits are exhausted now; shmmni is checked first, the size before both.
        Assert.Equal(Errno.ENOSPC, k.Syscalls.ShmGet(k.Init, IPC_PRIVATE, 4096, 0).Error);
        Assert.Equal(Errno.EINVAL, k.Syscalls.ShmGet(k.Init, IPC_PRIVATE, 0, 0).Error);
        Assert.Equal(Errno.OK, k.Sysctl.Write(k.Init.Cred, "kern.ipc.shmmni", "3"));
        Assert.Equal(Errno.ENOMEM, k.Syscalls.ShmGet(k.Init, IPC_PRIVATE, 1, 0).Error);
    }

    [Fact]
    public void New_segment_status_is_filled_from_the_caller_and_the_clock()
    {
        var time = new ManualTime(1_700_000_123);
        using var k = Boot(time);
        var p = k.Spawn(k.Prison0, 770, 771);
        var id = k.Create(p, Key, 1000, IPC_CREAT | 0x1b6 | 0x800 /* IPC_NOWAIT is ignored */);
        var ds = k.Stat(p, id).Value;
        Assert.Equal(new IpcPerm(770, 771, 770, 771, 0x1b6 | SHMSEG_ALLOCATED, 1, Key), ds.Perm);
        Assert.Equal(1000UL, ds.Segsz);
        Assert.Equal(p.Pid, ds.Cpid);
        Assert.Equal(0, ds.Lpid);
        Assert.Equal(0, ds.Nattch);
        Assert.Equal(0, ds.Atime);
        Assert.Equal(0, ds.Dtime);
        Assert.Equal(1_700_000_123, ds.Ctime);
        Assert.False(ds.IsDest());
    }

    [Fact]
    public void IPC_PRIVATE_always_creates_and_a_removed_key_is_free_again()
    {
        using var k = Boot();
        var a = k.Create(k.Init, IPC_PRIVATE);
        var b = k.Create(k.Init, IPC_PRIVATE);
        Assert.NotEqual(a, b);
        var keyed = k.Create(k.Init, Key);
        k.Attach(k.Init, keyed);
        Assert.Equal(Errno.OK, k.Rmid(k.Init, keyed)); // attached: stays, but loses its key
        Assert.Equal(Errno.ENOENT, k.Syscalls.ShmGet(k.Init, Key, 0, 0).Error);
        var again = k.Create(k.Init, Key);
        Assert.NotEqual(keyed, again);
    }

    [Fact]
    public void Key_lookup_matches_only_segments_created_in_the_callers_own_jail()
    {
        using var k = Boot();
        var parent = k.NewJail("p", "new", ("children.max", "4"));
        var child = k.NewJail("p.c", "inherit");
        var inParent = k.Spawn(parent);
        var inChild = k.Spawn(child);
        var id = k.Create(inParent, Key);
        // The child shares the parent's namespace (sees the id) but a key lookup never finds it.
        Assert.True(k.Stat(inChild, id).Ok);
        Assert.Equal(Errno.ENOENT, k.Syscalls.ShmGet(inChild, Key, 0, 0).Error);
        var own = k.Create(inChild, Key);
        Assert.NotEqual(id, own);
        Assert.Equal(id, k.Syscalls.ShmGet(inParent, Key, 0, 0).Value);
    }
}
