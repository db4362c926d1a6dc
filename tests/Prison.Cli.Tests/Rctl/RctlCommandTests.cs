using Prison.Core;
using Prison.Core.Ipc;

namespace Prison.Cli.Tests.Rctl;

public sealed class RctlCommandTests
{
    [Fact]
    public void Rules_are_added_listed_filtered_and_removed_in_FreeBSD_format()
    {
        using var s = new Session();
        s.Ok("jail -c name=pg1 persist");
        s.Ok("jail -c name=pg2 persist");

        Assert.Equal("", s.Ok("rctl -a jail:pg1:nshm:deny=2 jail:pg1:shmsize:deny=1m"));
        s.Ok("rctl -a jail:pg2:nsem:deny=10");

        Assert.Equal("jail:pg1:nshm:deny=2\njail:pg1:shmsize:deny=1048576\njail:pg2:nsem:deny=10\n", s.Ok("rctl"));
        Assert.Equal("jail:pg1:nshm:deny=2\njail:pg1:shmsize:deny=1048576\n", s.Ok("rctl jail:pg1"));
        Assert.Equal("jail:pg1:nshm:deny=2\n", s.Ok("rctl jail::nshm"));

        s.Ok("rctl -r jail:pg1");
        Assert.Equal("jail:pg2:nsem:deny=10\n", s.Ok("rctl"));
    }

    [Fact]
    public void Usage_prints_one_resource_per_line()
    {
        using var s = new Session();
        s.Ok("kldload sysvshm");
        s.Ok("jail -c name=pg1 persist sysvshm=new");
        Assert.True(s.Kernel.Syscalls.ShmGet(s.RootIn("pg1"), IpcConstants.IPC_PRIVATE, 5000, IpcConstants.IPC_CREAT | 0x180).Ok);

        Assert.Equal(
            "msgqqueued=0\nmsgqsize=0\nnmsgq=0\nnsem=0\nnsemop=0\nnshm=1\nshmsize=8192\n",
            s.Ok("rctl -u jail:pg1"));
    }

    [Fact]
    public void Errors_read_as_rctl_8_prints_them()
    {
        using var s = new Session();
        s.Ok("jail -c name=pg1 persist");

        Assert.Equal("rctl: failed to add rule 'jail:pg1:cputime:deny=1': Invalid argument\n", s.Fails("rctl -a jail:pg1:cputime:deny=1", 1));
        Assert.Equal("rctl: failed to remove rule 'jail:pg1': No such process\n", s.Fails("rctl -r jail:pg1", 1));
        Assert.Equal("rctl: failed to show resource consumption for 'jail:nosuch': No such process\n", s.Fails("rctl -u jail:nosuch", 1));
        Assert.Equal("rctl: failed to add rule 'jail:pg1:nshm:deny=1': Operation not permitted\n", s.Fails("jexec pg1 rctl -a jail:pg1:nshm:deny=1", 1));
        Assert.StartsWith("usage: rctl", s.Fails("rctl -a", 64));
        Assert.StartsWith("usage: rctl", s.Fails("rctl -a -r x", 64));
        Assert.Equal("", s.Ok("rctl"));
    }

    [Fact]
    public void A_limit_set_with_rctl_makes_shmget_fail_in_the_jail()
    {
        using var s = new Session();
        s.Ok("kldload sysvshm");
        s.Ok("jail -c name=pg1 persist sysvshm=new");
        s.Ok("rctl -a jail:pg1:nshm:deny=1");
        var p = s.RootIn("pg1");
        Assert.True(s.Kernel.Syscalls.ShmGet(p, IpcConstants.IPC_PRIVATE, 4096, IpcConstants.IPC_CREAT | 0x180).Ok);
        Assert.Equal(Errno.ENOSPC, s.Kernel.Syscalls.ShmGet(p, IpcConstants.IPC_PRIVATE, 4096, IpcConstants.IPC_CREAT | 0x180).Error);
        Assert.Equal("nshm=1", s.Ok("rctl -u jail:pg1").Split('\n').Single(l => l.StartsWith("nshm=", StringComparison.Ordinal)));
    }
}
