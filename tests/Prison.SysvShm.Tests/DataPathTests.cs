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
