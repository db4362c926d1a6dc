namespace Prison.IpcScript.Tests;

public class StatFormatTests
{
    [Fact]
    public void Shm_stat_prints_every_field_in_order()
    {
        var h = new SessionHarness().With("shmget 1 100 IPC_CREAT");
        Assert.Equal("ok key=42 uid=0 gid=0 cuid=0 cgid=0 mode=0666 dest=1 segsz=100 nattch=2 cpid=self lpid=other atime=set dtime=0 ctime=set",
            h.Run("shmctl $0 IPC_STAT"));
    }

    [Fact]
    public void Sem_stat_prints_every_field_in_order()
    {
        var h = new SessionHarness().With("semget 1 1 IPC_CREAT");
        Assert.Equal("ok key=42 uid=0 gid=0 cuid=0 cgid=0 mode=0666 nsems=3 otime=0 ctime=set", h.Run("semctl $0 0 IPC_STAT"));
    }

    [Fact]
    public void Msg_stat_prints_unsigned_ids_and_signed_keys()
    {
        var h = new SessionHarness().With("msgget 1 IPC_CREAT");
        Assert.Equal("ok key=-5 uid=4294967294 gid=0 cuid=0 cgid=0 mode=0666 qnum=1 qbytes=2048 cbytes=3 lspid=self lrpid=0 stime=set rtime=0 ctime=set",
            h.Run("msgctl $0 IPC_STAT"));
    }

    [Fact]
    public void Failed_stats_print_the_errno()
    {
        var h = new SessionHarness();
        h.Backend.FailNext = "EINVAL";
        Assert.Equal("err EINVAL", h.Run("msgctl 3 IPC_STAT"));
    }

    [Fact]
    public void The_runner_prints_only_result_lines_and_fails_when_a_line_was_bad()
    {
        var output = new StringWriter();
        var code = ScriptRunner.Run(new StringReader("# header\n\nsetuid 5\nbogus\r\n  # tail\n"), output, new FakeBackend());
        Assert.Equal(ScriptRunner.BadLineStatus, code);
        Assert.Equal("ok\nbad op\n", output.ToString().ReplaceLineEndings("\n"));
    }

    [Fact]
    public void The_runner_returns_zero_when_every_line_ran_whatever_the_calls_answered()
    {
        var output = new StringWriter();
        var backend = new FakeBackend { FailNext = "EINVAL" };
        var code = ScriptRunner.Run(new StringReader("msgctl 3 IPC_STAT\nsetuid 5\n"), output, backend);
        Assert.Equal(0, code);
        Assert.Equal("err EINVAL\nok\n", output.ToString().ReplaceLineEndings("\n"));
    }
}
