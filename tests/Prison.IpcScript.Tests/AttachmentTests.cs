namespace Prison.IpcScript.Tests;

public class AttachmentTests
{
    private static SessionHarness Attached() => new SessionHarness().With("shmget 1 10000 IPC_CREAT|0600", "shmat $0 0");

    [Fact]
    public void Attachments_number_from_zero_and_reads_see_writes()
    {
        var h = Attached();
        Assert.Equal("ok @1", h.Run("shmat $0 0"));
        Assert.Equal("ok", h.Run("shmwrite @0 9989 hello\\sthere"));
        Assert.Equal("ok hello\\sthere", h.Run("shmread @0 9989 11"));
    }

    [Fact]
    public void Accesses_beyond_segsz_are_skipped_without_touching_memory()
    {
        var h = Attached();
        h.Rejects("shmread @0 9995 6", "skip range");
        h.Rejects("shmwrite @0 10000 x", "skip range");
        h.Rejects("shmread @0 10001 0", "skip range");
        h.Rejects("shmread @0 9223372036854775807 1", "skip range");
        Assert.Equal("ok \"\"", h.Run("shmread @0 10000 0"));
    }

    [Fact]
    public void Oversized_negative_and_offset_accesses_are_script_errors()
    {
        var h = Attached();
        h.Rejects("shmread @0 0 1048577", "bad size");
        h.Rejects("shmread @0 0 -1", "bad size");
        h.Rejects("shmread @0 -1 1", "bad offset");
        h.Rejects("shmread @0+0 0 1", "bad ref");
        h.Rejects("shmwrite @0-4 0 x", "bad ref");
        h.Rejects("shmread @1 0 1", "bad ref");
        h.Rejects("shmread 0 0 1", "bad ref");
        h.Rejects("shmread @x 0 1", "bad ref");
        h.Rejects("shmwrite @0 0 bad\\q", "bad text");
    }

    [Fact]
    public void Read_only_attachments_fault_on_write_but_read()
    {
        var h = new SessionHarness().With("shmget 1 100 IPC_CREAT|0600", "shmat $0 SHM_RDONLY");
        h.Rejects("shmwrite @0 0 x", "sig SIGSEGV");
        Assert.Equal("ok", h.Run("shmwrite @0 0 \"\""));
        Assert.Equal("ok \\x00\\x00", h.Run("shmread @0 0 2"));
    }

    [Fact]
    public void Detached_attachments_fault_and_can_be_reused_once()
    {
        var h = Attached();
        Assert.Equal("ok", h.Run("shmdt @0"));
        h.Rejects("shmread @0 0 1", "sig SIGSEGV");
        h.Rejects("shmwrite @0 0 x", "sig SIGSEGV");
        Assert.Equal("ok \"\"", h.Run("shmread @0 0 0"));
        Assert.Equal("ok", h.Run("shmdt @0")); // the fake says ok; the bookkeeping keeps @0 detached
        var address = ulong.Parse(h.Backend.Calls[^1].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);

        h.Rejects("shmat $0 0 @0-1", "bad offset");
        h.Rejects("shmat $0 0 @0+4096", "bad offset"); // 4096 + 12288 > maplen 12288
        Assert.Equal("ok @1 @0+0", h.Run("shmat $0 0 @0+0"));
        Assert.Equal($"shmat 65536 {address} 0", h.Backend.Calls[^1]);
        Assert.Equal("ok", h.Run("shmwrite @1 0 x"));
        h.Rejects("shmread @0 0 1", "bad ref");
        h.Rejects("shmdt @0", "bad ref");
        h.Rejects("shmat $0 0 @0", "bad ref");
    }

    [Fact]
    public void Shmat_into_a_live_attachment_is_bad_addr()
    {
        var h = Attached();
        h.Rejects("shmat $0 0 @0", "bad addr");
        h.Rejects("shmat $0 0 @5", "bad ref");
    }

    [Fact]
    public void Shmat_at_an_offset_reports_the_actual_offset()
    {
        var h = new SessionHarness().With("shmget 1 20000 IPC_CREAT", "shmget 2 100 IPC_CREAT", "shmat $0 0", "shmdt @0");
        Assert.Equal("ok @1 @0+8192", h.Run("shmat $1 0 @0+8192"));
        // The target's segsz decides the fit: 16384 + one page <= maplen 20480.
        var h2 = new SessionHarness().With("shmget 1 20000 IPC_CREAT", "shmget 2 100 IPC_CREAT", "shmat $0 0", "shmdt @0");
        h2.Rejects("shmat $1 0 @0+20480", "bad offset");
        Assert.Equal("ok @1 @0+16385", h2.Run("shmat $1 0 @0+16385"));
        // A missing target counts as one page.
        var h3 = new SessionHarness().With("shmget 1 8192 IPC_CREAT", "shmat $0 0", "shmdt @0");
        h3.Rejects("shmat 12345 0 @0+8192", "bad offset");
        h3.Backend.FailNext = "EINVAL";
        Assert.Equal("err EINVAL", h3.Run("shmat 12345 0 @0+4096"));
        Assert.Equal("ok @1 @0+0", h3.Run("shmat $0 0 @0")); // still detached after the failure
    }

    [Fact]
    public void Shmdt_checks_the_offset_against_the_mapping()
    {
        var h = Attached(); // segsz 10000, maplen 12288
        h.Rejects("shmdt @0+12288", "bad offset");
        h.Rejects("shmdt @0-1", "bad offset");
        h.Backend.FailNext = "EINVAL";
        Assert.Equal("err EINVAL", h.Run("shmdt @0+12287"));
        Assert.Equal("ok \\x00", h.Run("shmread @0 0 1")); // still live
    }

    [Fact]
    public void A_failed_shmat_adds_no_attachment()
    {
        var h = new SessionHarness().With("shmget 1 100 IPC_CREAT");
        h.Backend.FailNext = "EACCES";
        Assert.Equal("err EACCES", h.Run("shmat $0 0"));
        Assert.Equal("ok @0", h.Run("shmat $0 0"));
    }
}
