namespace Prison.IpcScript.Tests;

public class SemaphoreArgumentTests
{
    private static SessionHarness WithSet(int nsems = 3) => new SessionHarness().With($"semget 1 {nsems} IPC_CREAT|0600");

    [Fact]
    public void Sops_expand_counts_and_wrap_numbers()
    {
        var h = WithSet();
        Assert.Equal("ok", h.Run("semop $0 0:1:0*3,-1:-32768:IPC_NOWAIT|SEM_UNDO,65535:32767:0"));
        var sops = h.Backend.LastSops;
        Assert.Equal(5, sops.Length);
        Assert.All(sops.Take(3), s => Assert.Equal(new Prison.Core.Ipc.SemBuf(0, 1, 0), s));
        Assert.Equal(new Prison.Core.Ipc.SemBuf(65535, -32768, 0x800 | 0x1000), sops[3]);
        Assert.Equal(new Prison.Core.Ipc.SemBuf(65535, 32767, 0), sops[4]);
        Assert.Equal("ok", h.Run("semop $0 -"));
        Assert.Empty(h.Backend.LastSops);
    }

    [Fact]
    public void Sops_are_capped_at_one_hundred_thousand()
    {
        var h = WithSet();
        Assert.Equal("ok", h.Run("semop $0 0:1:0*99999,1:1:0"));
        Assert.Equal(100_000, h.Backend.LastSops.Length);
        h.Rejects("semop $0 0:1:0*100001", "bad sops");
        h.Rejects("semop $0 0:1:0*50000,1:1:0*50000,2:1:0", "bad sops");
    }

    [Theory]
    [InlineData("semop $0 0:1")]
    [InlineData("semop $0 0:1:0:0")]
    [InlineData("semop $0 0:1:0,")]
    [InlineData("semop $0 0:1:0*0")]
    [InlineData("semop $0 0:1:0*")]
    [InlineData("semop $0 0:32768:0")]
    [InlineData("semop $0 65536:1:0")]
    [InlineData("semop $0 -32769:1:0")]
    [InlineData("semop $0 a:1:0")]
    [InlineData("semop $0 --")]
    public void Malformed_sops_are_bad_sops(string line) => WithSet().Rejects(line, "bad sops");

    [Fact]
    public void Sop_flags_report_like_flags()
    {
        var h = WithSet();
        h.Rejects("semop $0 0:1:BOGUS", "bad flag");
        h.Rejects("semop $0 0:1:MSG_COPY", "skip unsupported");
    }

    [Fact]
    public void Setall_needs_nsems_values_when_the_set_exists()
    {
        var h = WithSet(3);
        h.Rejects("semctl $0 0 SETALL 1,2", "bad count");
        h.Rejects("semctl $0 0 SETALL 1,2,3,4", "bad count");
        Assert.Equal("ok", h.Run("semctl $0 0 SETALL 1,2,65535"));
        Assert.Equal("setall 65536 1,2,65535", h.Backend.Calls[^1]);
        h.Backend.FailNext = "EINVAL";
        Assert.Equal("err EINVAL", h.Run("semctl 777 0 SETALL 1")); // no such set: the call is made
    }

    [Fact]
    public void Get_sub_commands_print_their_values()
    {
        var h = WithSet(3);
        Assert.Equal("ok 1,2,3", h.Run("semctl $0 0 GETALL"));
        Assert.Equal("ok 3", h.Run("semctl $0 1 GETVAL"));
        Assert.Equal("ok 3", h.Run("semctl $0 1 GETNCNT"));
        Assert.Equal("semcount 65536 1 WaitingForIncrease", h.Backend.Calls[^1]);
        Assert.Equal("ok 3", h.Run("semctl $0 1 GETZCNT"));
        Assert.Equal("ok other", h.Run("semctl $0 1 GETPID"));
        Assert.Equal("ok", h.Run("semctl $0 1 SETVAL -5"));
        Assert.Equal("setval 65536 1 -5", h.Backend.Calls[^1]);
    }

    [Fact]
    public void Ipc_set_dashes_keep_the_current_values_read_with_privilege()
    {
        var h = WithSet(3);
        Assert.Equal("ok", h.Run("semctl $0 0 IPC_SET - 9 -"));
        Assert.Equal("semset 65536 0 9 438", h.Backend.Calls[^1]);
        Assert.Equal("ok", h.Run("shmctl 5 IPC_SET - - -"));
        Assert.Equal("shmset 5 0 0 0", h.Backend.Calls[^1]); // no such segment: zeros
        Assert.Equal("ok", h.Run("shmctl 5 IPC_SET 4294967295 -1 07777"));
        Assert.Equal("shmset 5 4294967295 4294967295 4095", h.Backend.Calls[^1]);
        Assert.Equal("ok", h.Run("msgctl 5 IPC_SET - - -"));
        Assert.Equal("msgset 5 11 12 384 777", h.Backend.Calls[^1]);
        Assert.Equal("ok", h.Run("msgctl 5 IPC_SET 1 2 0600 -"));
        Assert.Equal("msgset 5 1 2 384 777", h.Backend.Calls[^1]);
        Assert.Equal("ok", h.Run("msgctl 5 IPC_SET 1 2 0600 0"));
        Assert.Equal("msgset 5 1 2 384 0", h.Backend.Calls[^1]);
    }
}
