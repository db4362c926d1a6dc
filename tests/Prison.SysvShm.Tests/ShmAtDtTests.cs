using System.Text;
using Prison.Core;
using Prison.Core.Ipc;
using static Prison.Core.Ipc.IpcConstants;
using static Prison.SysvShm.Tests.ShmTestKernel;

namespace Prison.SysvShm.Tests;

/// <summary>shmat(2), shmdt(2) and loads/stores through attachments.</summary>
public class ShmAtDtTests
{
    [Fact]
    public void Shmat_checks_in_FreeBSD_order()
    {
        using var k = Boot();
        var owner = k.Spawn(k.Prison0, 770, 770);
        var reader = k.Spawn(k.Prison0, 1001, 770); // group member: group bits apply
        var id = k.Create(owner, Key, 4096, IPC_CREAT | 0x120); // 0440: read for owner and group

        Assert.Equal(Errno.EINVAL, k.Syscalls.ShmAt(owner, 12345, 0, 0).Error);
        Assert.Equal(Errno.EINVAL, k.Syscalls.ShmAt(owner, -1, 0, 0).Error);
        Assert.Equal(Errno.EINVAL, k.Syscalls.ShmAt(owner, id + 0x10000, 0, 0).Error); // stale sequence
        Assert.Equal(Errno.EACCES, k.Syscalls.ShmAt(reader, id, 0, 0).Error); // write needed without SHM_RDONLY
        Assert.Equal(Errno.EACCES, k.Syscalls.ShmAt(reader, id, 3, 0).Error); // permission before address
        Assert.True(k.Syscalls.ShmAt(reader, id, 0, SHM_RDONLY).Ok);

        Assert.Equal(Errno.OK, k.Sysctl.Write(k.Init.Cred, "kern.ipc.shmseg", "2"));
        Assert.True(k.Syscalls.ShmAt(reader, id, 0, SHM_RDONLY).Ok);
        Assert.Equal(Errno.EMFILE, k.Syscalls.ShmAt(reader, id, 0, SHM_RDONLY).Error);
        Assert.Equal(Errno.EMFILE, k.Syscalls.ShmAt(reader, id, 3, SHM_RDONLY).Error); // the table before the address

        var fresh = k.Spawn(k.Prison0, 770, 770);
        Assert.Equal(Errno.EINVAL, k.Syscalls.ShmAt(fresh, id, 0x1_0000_0001, SHM_RDONLY).Error); // unaligned, no SHM_RND
        Assert.Equal(Errno.ENOMEM, k.Syscalls.ShmAt(fresh, id, 0x10, SHM_RND | SHM_RDONLY).Error); // rounds to page 0
    }

    [Fact]
    public void Plain_shmat_gives_fresh_page_aligned_addresses_never_reused()
    {
        using var k = Boot();
        var id = k.Create(k.Init, IPC_PRIVATE, 5000); // two pages when mapped
        var a = k.Attach(k.Init, id);
        Assert.Equal(0UL, a % SHMLBA);
        Assert.Equal(Errno.OK, k.Syscalls.ShmDt(k.Init, a));
        var b = k.Attach(k.Init, id);
        Assert.True(b >= a + 8192, $"{b:x} reuses the detached range at {a:x}");
        var c = k.Attach(k.Init, id);
        Assert.True(c >= b + 8192);
    }

    [Fact]
    public void Explicit_address_rounding_overlap_and_remap()
    {
        using var k = Boot();
        var p = k.Init;
        var id = k.Create(p, IPC_PRIVATE, 4096);
        var other = k.Create(p, IPC_PRIVATE, 4096);
        const ulong At = 0x5000_0000;

        Assert.Equal(Errno.EINVAL, k.Syscalls.ShmAt(p, id, At + 1, 0).Error);
        Assert.Equal(At, k.Syscalls.ShmAt(p, id, At + 123, SHM_RND).Value);
        Assert.Equal(At + 0x1000, k.Syscalls.ShmAt(p, id, At + 0x1000, 0).Value);
        // Over a live mapping: vm_map_find fails, which shmat reports as ENOMEM (FreeBSD).
        Assert.Equal(Errno.ENOMEM, k.Syscalls.ShmAt(p, other, At, 0).Error);
        Assert.Equal(2, k.Stat(p, id).Value.Nattch);
        // SHM_REMAP replaces it; the replaced attachment is gone.
        Assert.Equal(At, k.Syscalls.ShmAt(p, other, At, SHM_REMAP).Value);
        Assert.Equal(1, k.Stat(p, id).Value.Nattch);
        Assert.Equal(1, k.Stat(p, other).Value.Nattch);
        Assert.Equal(Errno.OK, k.Syscalls.ShmDt(p, At));
        Assert.Equal(0, k.Stat(p, other).Value.Nattch);
        // A detached range is reserved, not live: an explicit shmat may reuse it without SHM_REMAP.
        Assert.Equal(At, k.Syscalls.ShmAt(p, id, At, 0).Value);
        Assert.Equal(Errno.ENOMEM, k.Syscalls.ShmAt(p, id, 0x7FFF_FFFF_F000, 0).Error); // past user space
    }

    [Fact]
    public void Shmdt_only_at_the_exact_start_of_a_live_attachment()
    {
        using var k = Boot();
        var p = k.Spawn(k.Prison0, 770, 770);
        var id = k.Create(p, IPC_PRIVATE, 8192);
        Assert.Equal(Errno.EINVAL, k.Syscalls.ShmDt(p, 0x1000)); // nothing attached yet
        var a = k.Attach(p, id);
        Assert.Equal(Errno.EINVAL, k.Syscalls.ShmDt(p, a + 4096));
        Assert.Equal(Errno.EINVAL, k.Syscalls.ShmDt(p, a + 1));
        Assert.Equal(Errno.EINVAL, k.Syscalls.ShmDt(k.Init, a)); // another process's attachment
        Assert.Equal(Errno.OK, k.Syscalls.ShmDt(p, a));
        Assert.Equal(Errno.EINVAL, k.Syscalls.ShmDt(p, a));
        var jailed = k.Spawn(k.NewJail("off", "disable"));
        Assert.Equal(Errno.ENOSYS, k.Syscalls.ShmDt(jailed, a));
    }

    [Fact]
    public void Attach_and_detach_update_nattch_lpid_and_times()
    {
        var time = new ManualTime(1000);
        using var k = Boot(time);
        var creator = k.Spawn(k.Prison0, 770, 770);
        var user = k.Spawn(k.Prison0, 770, 770);
        var id = k.Create(creator, IPC_PRIVATE, 100);
        time.Seconds = 2000;
        var a = k.Attach(user, id);
        var ds = k.Stat(creator, id).Value;
        Assert.Equal((1, user.Pid, 2000L, 0L), (ds.Nattch, ds.Lpid, ds.Atime, ds.Dtime));
        time.Seconds = 3000;
        Assert.Equal(Errno.OK, k.Syscalls.ShmDt(user, a));
        ds = k.Stat(creator, id).Value;
        Assert.Equal((0, user.Pid, 2000L, 3000L), (ds.Nattch, ds.Lpid, ds.Atime, ds.Dtime)); // FreeBSD's shmdt leaves lpid
    }

    [Fact]
    public void Attachments_share_bytes_and_read_only_ones_refuse_stores()
    {
        using var k = Boot();
        var writer = k.Spawn(k.Prison0, 770, 770);
        var reader = k.Spawn(k.Prison0, 770, 770);
        var id = k.Create(writer, IPC_PRIVATE, 6000);
        var w = k.Attach(writer, id);
        var r = k.Attach(reader, id, 0, SHM_RDONLY);
        Assert.Equal(MemFault.None, k.Syscalls.ShmWrite(writer, w + 10, "hello"u8));
        var buf = new byte[5];
        Assert.Equal(MemFault.None, k.Syscalls.ShmRead(reader, r + 10, buf));
        Assert.Equal("hello", Encoding.ASCII.GetString(buf));

        Assert.Equal(MemFault.SIGSEGV, k.Syscalls.ShmWrite(reader, r + 10, "XXXXX"u8));
        Assert.Equal(MemFault.None, k.Syscalls.ShmRead(writer, w + 10, buf));
        Assert.Equal("hello", Encoding.ASCII.GetString(buf)); // nothing was written

        Assert.Equal(MemFault.None, k.Syscalls.ShmWrite(writer, w + 5999, "z"u8)); // the last byte
        Assert.Equal(MemFault.SIGBUS, k.Syscalls.ShmRead(writer, w + 5999, new byte[2])); // past segsz, inside the mapping
        Assert.Equal(MemFault.SIGBUS, k.Syscalls.ShmWrite(writer, w + 6000, "z"u8));
        Assert.Equal(MemFault.SIGSEGV, k.Syscalls.ShmRead(writer, w + 8191, new byte[2])); // past the mapping
        Assert.Equal(MemFault.SIGSEGV, k.Syscalls.ShmRead(writer, 0x1234, buf)); // never mapped
        Assert.Equal(MemFault.None, k.Syscalls.ShmRead(writer, 0x1234, [])); // an empty access never faults
    }

    [Fact]
    public void Detached_range_faults_and_stays_reserved()
    {
        using var k = Boot();
        var id = k.Create(k.Init, IPC_PRIVATE, 4096);
        var a = k.Attach(k.Init, id);
        Assert.Equal(MemFault.None, k.Syscalls.ShmWrite(k.Init, a, "x"u8));
        Assert.Equal(Errno.OK, k.Syscalls.ShmDt(k.Init, a));
        Assert.Equal(MemFault.SIGSEGV, k.Syscalls.ShmRead(k.Init, a, new byte[1]));
        Assert.Equal(MemFault.SIGSEGV, k.Syscalls.ShmWrite(k.Init, a, "x"u8));
        // Re-attaching at the old address brings the same bytes back.
        Assert.Equal(a, k.Syscalls.ShmAt(k.Init, id, a, 0).Value);
        var buf = new byte[1];
        Assert.Equal(MemFault.None, k.Syscalls.ShmRead(k.Init, a, buf));
        Assert.Equal((byte)'x', buf[0]);
    }

    [Fact]
    public void Removed_segment_is_attachable_only_while_shm_allow_removed()
    {
        using var k = Boot();
        var id = k.Create(k.Init, IPC_PRIVATE, 4096);
        k.Attach(k.Init, id);
        Assert.Equal(Errno.OK, k.Rmid(k.Init, id));
        Assert.True(k.Syscalls.ShmAt(k.Init, id, 0, 0).Ok);
        Assert.Equal(Errno.OK, k.Sysctl.Write(k.Init.Cred, "kern.ipc.shm_allow_removed", "0"));
        Assert.Equal(Errno.EINVAL, k.Syscalls.ShmAt(k.Init, id, 0, 0).Error);
        Assert.Equal(Errno.EINVAL, k.Stat(k.Init, id).Error);
    }

    [Fact]
    public void Disabled_jail_gets_ENOSYS_from_shmat()
    {
        using var k = Boot();
        var id = k.Create(k.Init, IPC_PRIVATE);
        var p = k.Spawn(k.NewJail("off", "disable"));
        Assert.Equal(Errno.ENOSYS, k.Syscalls.ShmAt(p, id, 0, 0).Error);
        Assert.Equal(Errno.ENOSYS, k.Syscalls.ShmAt(p, 999, 1, 0).Error);
    }
}
