namespace Prison.Core.Tests.Syscalls;

/// <summary>The snapshot call checks the caller's credential in the kernel: host root only.</summary>
public class SnapshotSyscallTests
{
    [Fact]
    public void Only_root_of_the_host_may_take_the_snapshot()
    {
        using var k = new Kernel();
        var jail = k.Create("pg");

        Assert.Equal(Errno.EPERM, k.Syscalls.Snapshot(k.RootIn(jail)).Error);
        Assert.Equal(Errno.EPERM, k.Syscalls.Snapshot(k.UserIn(k.Prison0, 1001, 1001)).Error);
        Assert.Equal(Errno.EPERM, k.Syscalls.Snapshot(k.RootIn(jail), "kernel").Error);

        var taken = k.Syscalls.Snapshot(k.Init);
        Assert.True(taken.Ok);
        Assert.Equal(k.Snapshot(), taken.Value);
    }

    [Fact]
    public void A_section_nothing_writes_is_ENOENT()
    {
        using var k = new Kernel();
        var taken = k.Syscalls.Snapshot(k.Init, "sysvshm");
        Assert.Equal(Errno.ENOENT, taken.Error);
        Assert.Equal("sysvshm: no such section (kernel, or a loaded module that writes one)", taken.Message);
        Assert.True(k.Syscalls.Snapshot(k.Init, "kernel").Ok);
    }
}
