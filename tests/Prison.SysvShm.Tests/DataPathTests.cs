using Prison.Core;
using Prison.Core.Ipc;
using Prison.Plugins.SysvShm;
using static Prison.Core.Ipc.IpcConstants;

namespace Prison.SysvShm.Tests;

/// <summary>
/// The shm data path takes no module lock: loads, stores and shmget of an existing key complete while
/// another thread holds the module lock (a long shmget or shmctl elsewhere never stalls them).
/// </summary>
public sealed class DataPathTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    [Fact]
    public void Loads_stores_and_shmget_of_an_existing_key_do_not_wait_for_the_module_lock()
    {
        using var k = new Kernel(new KernelOptions { Time = new ManualTime(1_700_000_000) });
        var module = new SysvShmModule();
        Assert.True(k.Modules.LoadInstance(module).Ok);
        var jail = k.NewJail("a", "new");
        var p = k.Spawn(jail);
        var id = k.Create(p, key: 77, size: 8192);
        var at = k.Syscalls.ShmAt(p, id, 0, 0).Value;

        var gate = module.Facility!.ModuleLock;
        MemFault stored = MemFault.SIGBUS, loaded = MemFault.SIGBUS;
        var found = default(SysResult<int>);
        var buffer = new byte[4096];
        gate.Enter();
        try
        {
            var worker = new Thread(() =>
            {
                stored = k.Syscalls.ShmWrite(p, at + 4096, Enumerable.Repeat((byte)7, 4096).ToArray());
                loaded = k.Syscalls.ShmRead(p, at + 4096, buffer);
                found = k.Syscalls.ShmGet(p, 77, 0, 0);
            })
            { IsBackground = true };
            worker.Start();
            Assert.True(worker.Join(Bound), "the data path waited for the module lock");
        }
        finally
        {
            gate.Exit();
        }
        Assert.Equal((MemFault.None, MemFault.None), (stored, loaded));
        Assert.All(buffer, b => Assert.Equal(7, b));
        Assert.True(found.Ok && found.Value == id, found.ToString());
    }

    [Fact]
    public void Attach_detach_stat_and_set_do_not_wait_for_the_module_lock()
    {
        using var k = new Kernel(new KernelOptions { Time = new ManualTime(1_700_000_000) });
        var module = new SysvShmModule();
        Assert.True(k.Modules.LoadInstance(module).Ok);
        var jail = k.NewJail("a", "new");
        var p = k.Spawn(jail);
        var id = k.Create(p, key: 78, size: 4096);
        // The first shmat of a process makes its address space under the module lock; later ones need none.
        Assert.Equal(Errno.OK, k.Syscalls.ShmDt(p, k.Syscalls.ShmAt(p, id, 0, 0).Value));

        var gate = module.Facility!.ModuleLock;
        SysResult<ulong> attached = Errno.EPERM;
        var stat = default(SysResult<int>);
        var set = default(SysResult<int>);
        var nattch = -1;
        var detached = Errno.EPERM;
        gate.Enter();
        try
        {
            var worker = new Thread(() =>
            {
                attached = k.Syscalls.ShmAt(p, id, 0, 0);
                var ds = default(ShmidDs);
                stat = k.Syscalls.ShmCtl(p, id, IPC_STAT, ref ds);
                nattch = ds.Nattch;
                ds = ds with { Perm = ds.Perm with { Mode = 0x180 } };
                set = k.Syscalls.ShmCtl(p, id, IPC_SET, ref ds);
                detached = k.Syscalls.ShmDt(p, attached.Value);
            })
            { IsBackground = true };
            worker.Start();
            Assert.True(worker.Join(Bound), "shmat, shmctl or shmdt waited for the module lock");
        }
        finally
        {
            gate.Exit();
        }
        Assert.True(attached.Ok, attached.ToString());
        Assert.True(stat.Ok && set.Ok, $"{stat} {set}");
        Assert.Equal(1, nattch);
        Assert.Equal(Errno.OK, detached);
        var after = default(ShmidDs);
        Assert.True(k.Syscalls.ShmCtl(p, id, IPC_STAT, ref after).Ok);
        Assert.Equal((0, 0x180), (after.Nattch, after.Perm.Mode & 0x1ff));
    }

    [Fact]
    public void A_new_segment_reads_as_zeros_and_is_exactly_its_size()
    {
        using var k = ShmTestKernel.Boot();
        var p = k.Spawn(k.Prison0);
        var id = k.Create(p, key: IPC_PRIVATE, size: 5000);
        var at = k.Syscalls.ShmAt(p, id, 0, 0).Value;
        var buffer = Enumerable.Repeat((byte)0xff, 5000).ToArray();
        Assert.Equal(MemFault.None, k.Syscalls.ShmRead(p, at, buffer));
        Assert.All(buffer, b => Assert.Equal(0, b));
        // Past the size but inside the page: SIGBUS (the memory is bounded by the segment size).
        Assert.Equal(MemFault.SIGBUS, k.Syscalls.ShmRead(p, at + 4999, new byte[2]));
    }
}
