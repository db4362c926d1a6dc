using Prison.Core.Ipc;

namespace Prison.Cli.Tests;

public class IpcsCommandTests
{
    private const int Create0600 = IpcConstants.IPC_CREAT | 0x180;

    [Fact]
    public void Without_modules_each_facility_is_reported_not_configured()
    {
        using var s = new Session();
        var (status, output, error) = s.Run("ipcs");
        Assert.Equal(0, status);
        Assert.Equal("", output);
        Assert.Equal(
            "SVID messages facility not configured in the system\n" +
            "SVID shared memory facility not configured in the system\n" +
            "SVID semaphores facility not configured in the system\n", error);
        Assert.Equal("SVID shared memory facility not configured in the system\n", s.Run("ipcs -m").Err);
    }

    [Fact]
    public void Seed_002_each_jail_sees_its_own_segment_and_the_host_sees_both_with_key_0_and_numbers()
    {
        using var s = new Session();
        s.Kernel.Modules.LoadInstance(new FakeShmModule());
        s.Ok("jail -c name=pgsql01 persist sysvshm=new");
        s.Ok("jail -c name=pgsql02 persist sysvshm=new");
        s.Ok("jexec pgsql01 pw useradd postgres -u 770");
        s.Ok("jexec pgsql02 pw useradd postgres -u 770");
        foreach (var jail in new[] { "pgsql01", "pgsql02" })
        {
            var p = s.RootIn(jail);
            s.Kernel.Processes.SetGid(p, 770);
            s.Kernel.Processes.SetUid(p, 770);
            Assert.True(s.Kernel.Syscalls.ShmGet(p, 5432001, 1048576, Create0600).Ok);
            s.Kernel.Processes.Exit(p);
        }
        Assert.Equal(
            "Shared Memory:\n" +
            "T           ID          KEY MODE        OWNER    GROUP\n" +
            "m        65536      5432001 --rw------- postgres postgres\n\n", s.Ok("jexec pgsql01 ipcs -m"));
        Assert.Equal(
            "Shared Memory:\n" +
            "T           ID          KEY MODE        OWNER    GROUP\n" +
            "m       131073      5432001 --rw------- postgres postgres\n\n", s.Ok("jexec pgsql02 ipcs -m"));
        Assert.Equal(
            "Shared Memory:\n" +
            "T           ID          KEY MODE        OWNER    GROUP\n" +
            "m        65536            0 --rw------- 770      770\n" +
            "m       131073            0 --rw------- 770      770\n\n", s.Ok("ipcs -m"));
    }

    [Fact]
    public void Dash_j_filters_by_creator_jail_and_R_adds_descendants()
    {
        using var s = new Session();
        s.Kernel.Modules.LoadInstance(new FakeShmModule());
        s.Ok("jail -c name=a persist sysvshm=new children.max=1");
        s.Ok("jexec a jail -c name=b persist sysvshm=new");
        s.Kernel.Syscalls.ShmGet(s.RootIn("a"), 1, 4096, Create0600);
        s.Kernel.Syscalls.ShmGet(s.RootIn("a.b"), 2, 4096, Create0600);
        Assert.Single(Rows(s.Ok("ipcs -m -j a")));
        Assert.Equal(2, Rows(s.Ok("ipcs -m -j a -R")).Length);
        Assert.Equal("ipcs: jail \"zz\" not found\n", s.Fails("ipcs -j zz"));
        Assert.StartsWith("usage: ipcs", s.Fails("ipcs -R", 64));
    }

    [Fact]
    public void Dash_a_adds_the_extra_columns_and_json_gives_records()
    {
        using var s = new Session();
        s.Kernel.Modules.LoadInstance(new FakeShmModule());
        s.Kernel.Syscalls.ShmGet(s.Kernel.Init, 7, 4096, Create0600);
        var text = s.Ok("ipcs -m -a");
        Assert.Contains("T           ID          KEY MODE        OWNER    GROUP    CREATOR  CGROUP   NATTCH        SEGSZ   CPID   LPID ATIME    DTIME    CTIME", text);
        Assert.Contains(" root     wheel         0         4096 ", text);
        var json = System.Text.Json.JsonDocument.Parse(s.Ok("ipcs -m --json"));
        Assert.Equal(7, json.RootElement.GetProperty("sharedMemory")[0].GetProperty("ds").GetProperty("perm").GetProperty("key").GetInt32());
    }

    [Fact]
    public void Mode_prints_like_fmt_perm()
    {
        Assert.Equal("--rw-------", Userland.IpcsCommand.Mode(0x180));
        Assert.Equal("--rwarwarwa", Userland.IpcsCommand.Mode(0x1ff));
        Assert.Equal("--r--r--r--", Userland.IpcsCommand.Mode(0x124));
    }

    [Fact]
    public void Ipcrm_by_key_looks_the_key_up_in_the_callers_jail()
    {
        using var s = new Session();
        s.Kernel.Modules.LoadInstance(new FakeShmModule());
        s.Ok("jail -c name=pg1 persist sysvshm=new");
        s.Kernel.Syscalls.ShmGet(s.RootIn("pg1"), 5432001, 4096, Create0600);
        Assert.Equal("ipcrm: shmkey(5432001): No such file or directory\n", s.Fails("ipcrm -M 5432001"));
        s.Ok("jexec pg1 ipcrm -M 5432001");
        Assert.Empty(Rows(s.Ok("ipcs -m")));
    }

    [Fact]
    public void Ipcrm_by_id_works_from_the_host_and_reports_errors()
    {
        using var s = new Session();
        s.Kernel.Modules.LoadInstance(new FakeShmModule());
        s.Ok("jail -c name=pg1 persist sysvshm=new");
        var id = s.Kernel.Syscalls.ShmGet(s.RootIn("pg1"), 5432001, 4096, Create0600).Value;
        s.Ok($"ipcrm -m {id}");
        Assert.Equal($"ipcrm: shmid({id}): Invalid argument\n", s.Fails($"ipcrm -m {id}"));
        Assert.Equal("ipcrm: shmid(12x): invalid number\n", s.Fails("ipcrm -m 12x"));
        Assert.Equal("ipcrm: can't remove private shared memory segments\n", s.Fails("ipcrm -M 0"));
        Assert.Equal("ipcrm: semaphores are not configured in the running kernel\n", s.Fails("ipcrm -s 1"));
        Assert.Equal("ipcrm: msqid(99999999999999999999): invalid number\n", s.Fails("ipcrm -q 99999999999999999999"));
        Assert.StartsWith("usage: ipcrm", s.Fails("ipcrm", 64));
    }

    private static string[] Rows(string text) => text.Split('\n').Where(l => l.StartsWith("m ", StringComparison.Ordinal)).ToArray();
}
