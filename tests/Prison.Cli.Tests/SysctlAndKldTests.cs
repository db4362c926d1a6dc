using Prison.Core.Ipc;

namespace Prison.Cli.Tests;

public class SysctlAndKldTests
{
    [Fact]
    public void Sysctl_reads_per_caller_and_lists_subtrees()
    {
        using var s = new Session();
        s.Ok("jail -c name=pg1 persist");
        Assert.Equal("security.jail.jailid: 0\n", s.Ok("sysctl security.jail.jailid"));
        Assert.Equal("1\n", s.Ok("jexec pg1 sysctl -n security.jail.jailid"));
        var tree = s.Ok("sysctl security.jail.param");
        Assert.Contains("security.jail.param.persist: bool\n", tree);
        Assert.Contains("security.jail.jailid: Jail ID of the caller (0 on the host)\n", s.Ok("sysctl -d security.jail.jailid"));
        Assert.Contains("kern.ostype: Prison\n", s.Ok("sysctl -a"));
    }

    [Fact]
    public void Sysctl_writes_where_writable_with_FreeBSD_messages()
    {
        using var s = new Session();
        Assert.Equal("security.jail.mount_allowed: 0 -> 1\n", s.Ok("sysctl security.jail.mount_allowed=1"));
        Assert.Equal("sysctl: security.jail.mount_allowed=7: Invalid argument\n", s.Fails("sysctl security.jail.mount_allowed=7"));
        Assert.Equal("sysctl: oid 'security.jail.jailid' is read only\n", s.Fails("sysctl security.jail.jailid=3"));
        Assert.Equal("sysctl: unknown oid 'no.such'\n", s.Fails("sysctl no.such"));
        Assert.Equal("sysctl: unknown oid 'no.such'\n", s.Fails("sysctl no.such=1"));
        s.Ok("jail -c name=pg1 persist");
        Assert.Equal("sysctl: security.jail.mount_allowed=0: Operation not permitted\n", s.Fails("jexec pg1 sysctl security.jail.mount_allowed=0"));
        Assert.Equal("1\n", s.Ok("sysctl -n security.jail.mount_allowed"));
        Assert.Equal("", s.Run("sysctl -q no.such").Err);
        Assert.StartsWith("usage: sysctl", s.Fails("sysctl", 64));
    }

    [Fact]
    public void Sysctl_json_and_opaque_summary()
    {
        using var s = new Session();
        s.Kernel.Modules.LoadInstance(new FakeShmModule());
        s.Kernel.Syscalls.ShmGet(s.Kernel.Init, 42, 4096, 0x200 | 0x180);
        Assert.Equal("kern.ipc.shmsegs: Format:S,ShmSegmentInfo Length:1 (use --json for the records)\n", s.Ok("sysctl kern.ipc.shmsegs"));
        var json = System.Text.Json.JsonDocument.Parse(s.Ok("sysctl --json kern.ipc.shmsegs security.jail.jailid"));
        Assert.Equal(2, json.RootElement.GetArrayLength());
        Assert.Equal(42, json.RootElement[0].GetProperty("value")[0].GetProperty("ds").GetProperty("perm").GetProperty("key").GetInt32());
    }

    [Fact]
    public void Kldstat_lists_the_kernel_and_loaded_modules()
    {
        using var s = new Session();
        s.Kernel.Modules.LoadInstance(new FakeShmModule());
        var text = s.Ok("kldstat");
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("Id Refs Version    State          Name             Path", lines[0]);
        Assert.StartsWith(" 1    2 ", lines[1]);
        Assert.EndsWith("kernel           -", lines[1]);
        Assert.Matches(@"^ 2    1 \S+ +loaded +sysvshm +\(linked in\)$", lines[2]);
        Assert.Contains("service sysvshm", s.Ok("kldstat -v"));
        Assert.Equal("sysvshm", System.Text.Json.JsonDocument.Parse(s.Ok("kldstat --json")).RootElement.GetProperty("module")[1].GetProperty("name").GetString());
        Assert.Equal("kldstat: can't find file nope\n", s.Fails("kldstat -n nope"));
    }

    [Fact]
    public void Kldload_reports_the_kernels_refusal()
    {
        using var s = new Session();
        s.Ok("jail -c name=pg1 persist");
        Assert.StartsWith("kldload: can't load sysvshm: ", s.Fails("jexec pg1 kldload sysvshm"));
        Assert.StartsWith("usage: kldload", s.Fails("kldload", 64));
    }

    [Fact]
    public void Kldunload_f_skips_only_the_quiesce_step_and_a_segment_in_use_keeps_sysvshm()
    {
        // Issue 17 item 12, through the CLI with the real plugin. FreeBSD: -f skips MOD_QUIESCE, but
        // shmunload() returns EBUSY while shm_nused > 0.
        using var s = new Session();
        s.Ok("kldload sysvshm");
        s.Ok("shmget 7 4096 IPC_CREAT|0600");
        s.Ok("shmat $0 0");
        Assert.Equal("kldunload: can't unload file: Device busy\n", s.Fails("kldunload -f sysvshm"));
        Assert.NotNull(s.Kernel.Modules.Find("sysvshm"));
        Assert.Contains(" 7 ", s.Ok("ipcs -m"));
    }

    [Fact]
    public void Kldunload_refuses_a_quiesce_veto_unless_forced()
    {
        using var s = new Session();
        s.Kernel.Modules.LoadInstance(new FakeShmModule());
        s.Kernel.Syscalls.ShmGet(s.Kernel.Init, 42, 4096, 0x200 | 0x180);
        Assert.Equal("kldunload: can't unload file: Device busy\n", s.Fails("kldunload sysvshm"));
        Assert.NotNull(s.Kernel.Modules.Find("sysvshm"));
        s.Ok("kldunload -f sysvshm");
        Assert.Null(s.Kernel.Modules.Find("sysvshm"));
        Assert.Equal("kldunload: can't find file sysvshm\n", s.Fails("kldunload sysvshm"));
    }
}
