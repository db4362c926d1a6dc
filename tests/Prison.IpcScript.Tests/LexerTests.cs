namespace Prison.IpcScript.Tests;

public class LexerTests
{
    [Theory]
    [InlineData("")]
    [InlineData("   \t  ")]
    [InlineData("# a comment")]
    [InlineData("   # indented comment shmget 1 2 3")]
    [InlineData("\r")]
    public void Blank_and_comment_lines_produce_no_output(string line) =>
        Assert.Null(new SessionHarness().Run(line));

    [Fact]
    public void A_comment_starts_only_at_a_token_start()
    {
        var h = new SessionHarness();
        Assert.Equal("ok", h.Run("setuid 5 # trailing comment"));
        Assert.Equal("bad number", h.Run("setuid 5#x"));
    }

    [Fact]
    public void Tabs_separate_and_a_trailing_carriage_return_is_ignored()
    {
        var h = new SessionHarness();
        Assert.Equal("ok $0", h.Run("shmget\t1\t\t100  IPC_CREAT|0600\r"));
        Assert.Equal("shmget 1 100 " + (0x200 | 0x180), h.Backend.Calls[^1]);
    }

    [Fact]
    public void Operation_names_are_case_sensitive() => new SessionHarness().Rejects("SHMGET 1 100 0", "bad op");

    [Fact]
    public void Sixty_four_tokens_are_allowed_sixty_five_are_not()
    {
        var h = new SessionHarness().With("semget 1 1 IPC_CREAT");
        var sixtyFour = "semctl $0 0 SETALL " + string.Join(' ', Enumerable.Repeat("1", 60));
        Assert.Equal("bad args", h.Run(sixtyFour)); // parsed (wrong arity), not rejected for its length
        h.Rejects("setuid " + string.Join(' ', Enumerable.Repeat("1", 64)), "bad args");
        h.Rejects("nosuchop " + string.Join(' ', Enumerable.Repeat("1", 64)), "bad args");
        h.Rejects("nosuchop " + string.Join(' ', Enumerable.Repeat("1", 63)), "bad op");
    }

    [Theory]
    [InlineData("shmget")]
    [InlineData("setuid")]
    [InlineData("setuid 1 2")]
    [InlineData("limit shmmax")]
    [InlineData("shmat $0")]
    [InlineData("msgsnd 1 1 a")]
    [InlineData("msgrcv 1 1 1")]
    [InlineData("shmctl 1")]
    [InlineData("shmctl 1 IPC_STAT x")]
    [InlineData("shmctl 1 IPC_SET 1 2")]
    [InlineData("semctl 1 0")]
    [InlineData("semctl 1 0 SETVAL")]
    [InlineData("semctl 1 0 GETVAL 3")]
    [InlineData("msgctl 1 IPC_SET 1 2 3 4 5")]
    [InlineData("shmctl 1 99 5")]
    public void Wrong_argument_counts_are_bad_args(string line) => new SessionHarness().Rejects(line, "bad args");

    [Fact]
    public void Every_operation_of_the_language_is_known()
    {
        foreach (var op in new[] { "shmget", "shmat", "shmdt", "shmctl", "shmwrite", "shmread", "semget", "semop", "semctl", "msgget", "msgsnd", "msgrcv", "msgctl", "setuid", "setgid", "limit" })
            Assert.True(IpcScriptSession.IsOperation(op), op);
        Assert.False(IpcScriptSession.IsOperation("jexec"));
        Assert.False(IpcScriptSession.IsOperation("ShmGet"));
    }
}
