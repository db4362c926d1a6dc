namespace Prison.IpcScript.Tests;

public class ArgumentTests
{
    [Theory]
    [InlineData("shmget IPC_PRIVATE 10 0", "shmget 0 10 0")]
    [InlineData("shmget 4294967295 10 0", "shmget -1 10 0")]
    [InlineData("shmget 2147483648 10 0", "shmget -2147483648 10 0")]
    [InlineData("shmget -2147483648 10 0", "shmget -2147483648 10 0")]
    [InlineData("shmget 1 -1 0", "shmget 1 18446744073709551615 0")]
    [InlineData("shmget 1 18446744073709551615 0", "shmget 1 18446744073709551615 0")]
    [InlineData("shmget 1 -9223372036854775808 0", "shmget 1 9223372036854775808 0")]
    [InlineData("semget 5 -3 0", "semget 5 -3 0")]
    // 18 digits take the long fast path, more take BigInteger: both sides of the cut agree.
    [InlineData("shmget 1 999999999999999999 0", "shmget 1 999999999999999999 0")]
    [InlineData("shmget 1 -999999999999999999 0", "shmget 1 17446744073709551617 0")]
    [InlineData("shmget 1 1000000000000000000 0", "shmget 1 1000000000000000000 0")]
    [InlineData("shmget 1 0000000000000000000000005 0", "shmget 1 5 0")]
    [InlineData("shmget -0 10 0", "shmget 0 10 0")]
    [InlineData("shmget 000000000000000004294967295 10 0", "shmget -1 10 0")]
    public void Keys_and_sizes_wrap_as_the_spec_says(string line, string call)
    {
        var h = new SessionHarness();
        Assert.StartsWith("ok", h.Run(line));
        Assert.Equal(call, h.Backend.Calls[^1]);
    }

    [Theory]
    [InlineData("shmget 4294967296 10 0")]
    [InlineData("shmget -2147483649 10 0")]
    [InlineData("shmget 1x 10 0")]
    [InlineData("shmget 1 18446744073709551616 0")]
    [InlineData("shmget 1 -9223372036854775809 0")]
    [InlineData("shmget 1 +5 0")]
    [InlineData("shmget 1 10 0x")]
    [InlineData("shmget 1 10 09")]
    [InlineData("shmget 1 10 0xg")]
    [InlineData("shmget 1 10 2147483648")]
    [InlineData("setuid 4294967295")]
    [InlineData("setuid -1")]
    [InlineData("setgid 99999999999999999999999")]
    [InlineData("shmctl 2147483648 IPC_STAT")]
    [InlineData("semctl 1 0 SETVAL 2147483648")]
    [InlineData("semctl 1 0 SETALL 1,65536")]
    [InlineData("semctl 1 0 SETALL 1,,2")]
    [InlineData("shmctl 1 IPC_SET 4294967296 0 0600")]
    [InlineData("shmctl 1 IPC_SET 0 0 010000")]
    [InlineData("shmctl 1 IPC_SET 0 0 abc")]
    [InlineData("msgctl 1 IPC_SET 0 0 0600 -1")]
    [InlineData("msgsnd 1 x a 0")]
    [InlineData("limit shmmax 1.5")]
    public void Malformed_or_out_of_range_numbers_are_bad_number(string line) =>
        new SessionHarness().Rejects(line, "bad number");

    [Theory]
    [InlineData("IPC_CREAT|IPC_EXCL|0600", 0x200 | 0x400 | 0x180)]
    [InlineData("0x200|0600", 0x200 | 0x180)]
    [InlineData("01000|0", 0x200)]
    [InlineData("512", 512)]
    [InlineData("0", 0)]
    [InlineData("0X1F", 0x1F)]
    [InlineData("SHM_RDONLY|SHM_RND", 0x1000 | 0x2000)]
    [InlineData("2147483647", int.MaxValue)]
    public void Flags_combine_names_and_c_literals(string flags, int value)
    {
        var h = new SessionHarness();
        Assert.Equal("ok $0", h.Run("msgget 1 " + flags));
        Assert.Equal($"msgget 1 {value}", h.Backend.Calls[^1]);
    }

    [Theory]
    [InlineData("IPC_CREAT|")]
    [InlineData("|0600")]
    [InlineData("ipc_creat")]
    [InlineData("IPC_BOGUS")]
    [InlineData("-1")]
    public void Unknown_flag_items_are_bad_flag(string flags) => new SessionHarness().Rejects("msgget 1 " + flags, "bad flag");

    [Fact]
    public void Flag_names_the_platform_lacks_are_skipped_as_unsupported()
    {
        var freeBsd = new SessionHarness(IpcPlatform.FreeBsd).With("msgget 1 IPC_CREAT|0600");
        freeBsd.Rejects("msgrcv $0 10 1 MSG_EXCEPT", "skip unsupported");
        freeBsd.Rejects("msgrcv $0 10 1 MSG_COPY|IPC_NOWAIT", "skip unsupported");
        freeBsd.Rejects("shmget 1 10 SHM_HUGETLB", "skip unsupported");

        var linux = new SessionHarness(IpcPlatform.Linux).With("msgget 1 IPC_CREAT|0600");
        Assert.Equal("ok 0 9 \"\"", linux.Run("msgrcv $0 10 1 MSG_EXCEPT"));
        Assert.EndsWith(" " + Convert.ToInt32("20000", 8), linux.Backend.Calls[^1]);
    }

    [Fact]
    public void Linux_constants_are_linux_values()
    {
        var h = new SessionHarness(IpcPlatform.Linux);
        Assert.Equal("ok $0", h.Run("shmget 1 10 IPC_CREAT|IPC_EXCL|0600"));
        Assert.Equal("shmget 1 10 " + Convert.ToInt32("3600", 8), h.Backend.Calls[^1]);
    }

    [Theory]
    [InlineData("limit nosuch 5")]
    [InlineData("limit shmseg 5")]
    [InlineData("limit SHMMAX 5")]
    public void Unknown_limits_are_bad_limit(string line) => new SessionHarness().Rejects(line, "bad limit");

    [Fact]
    public void Every_limit_name_reaches_the_back_end()
    {
        var h = new SessionHarness();
        foreach (var name in IpcLimits.Names)
        {
            Assert.Equal("ok", h.Run($"limit {name} 123"));
            Assert.Equal($"limit {name} 123", h.Backend.Calls[^1]);
        }
    }

    [Theory]
    [InlineData("shmctl $0 GETVAL")]
    [InlineData("shmctl $0 ipc_stat")]
    [InlineData("semctl $1 0 SHM_LOCK")]
    [InlineData("msgctl $2 GETALL")]
    public void Unknown_textual_sub_commands_are_bad_op(string line) =>
        new SessionHarness().With("shmget 1 10 IPC_CREAT", "semget 1 1 IPC_CREAT", "msgget 1 IPC_CREAT").Rejects(line, "bad op");

    [Fact]
    public void Raw_sub_commands_pass_the_number_and_print_the_return_value()
    {
        var h = new SessionHarness().With("semget 1 2 IPC_CREAT");
        Assert.Equal("ok 5", h.Run("semctl $0 1 99"));
        Assert.Equal("semctl 65536 1 99", h.Backend.Calls[^1]);
        h.Backend.FailNext = "EINVAL";
        Assert.Equal("err EINVAL", h.Run("semctl $0 1 -7"));
    }

    [Fact]
    public void Errors_and_would_block_results_print_as_the_spec_says()
    {
        var h = new SessionHarness();
        h.Backend.FailNext = "E200";
        Assert.Equal("err E200", h.Run("msgget 1 0"));
        h.With("msgget 1 IPC_CREAT");
        h.Backend.BlockNext = true;
        Assert.Equal("skip blocking", h.Run("msgrcv $0 10 0 0"));
    }
}
