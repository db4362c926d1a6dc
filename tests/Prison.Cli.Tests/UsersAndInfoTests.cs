namespace Prison.Cli.Tests;

public class UsersAndInfoTests
{
    [Fact]
    public void Pw_useradd_is_per_jail_and_creates_the_users_group()
    {
        using var s = new Session();
        s.Ok("jail -c name=a persist");
        s.Ok("jail -c name=b persist");
        s.Ok("jexec a pw useradd postgres -u 770");
        Assert.Equal("postgres:*:770:770::0:0:User &:/home/postgres:/bin/sh\n", s.Ok("jexec a pw usershow postgres"));
        Assert.Equal("pw: no such user `postgres'\n", s.Fails("jexec b pw usershow postgres"));
        Assert.Equal("pw: login name `postgres' already exists\n", s.Fails("jexec a pw useradd postgres -u 771"));
        Assert.Equal("pw: uid `770' has already been allocated\n", s.Fails("jexec a pw useradd other -u 770"));
        s.Ok("jexec a pw groupadd dba -g 900");
        s.Ok("jexec a pw useradd alice -u 1001 -g dba");
        Assert.Equal("uid=1001(alice) gid=900(dba) groups=900(dba)\n", s.Ok("jexec -u alice a id"));
        Assert.Equal("pw: group `nope' does not exist\n", s.Fails("jexec a pw useradd bob -u 1002 -g nope"));
        Assert.Equal("pw: invalid uid `99999999999'\n", s.Fails("pw useradd bob -u 99999999999"));
        Assert.Equal("pw: invalid user name `-x'\n", s.Fails("pw useradd -x"));
        Assert.Equal("pw: you must be root to run this program\n", s.Fails("jexec -u alice a pw useradd carol -u 5"));
        Assert.StartsWith("usage: pw", s.Fails("pw", 64));
        Assert.Equal("pw: unknown command `userfrob'\n", s.Fails("pw userfrob x"));
    }

    [Fact]
    public void Whoami_and_id_name_what_the_jail_can_name()
    {
        using var s = new Session();
        Assert.Equal("root\n", s.Ok("whoami"));
        Assert.Equal("uid=0(root) gid=0(wheel) groups=0(wheel)\n", s.Ok("id"));
        Assert.Equal("0\n", s.Ok("id -u"));
        Assert.Equal("wheel\n", s.Ok("id -gn"));
        Assert.Equal("id: illegal option -- x\nusage: id [-u | -g] [-n]\n", s.Fails("id -x"));
    }

    [Fact]
    public void Ps_shows_processes_of_the_callers_jail_and_below()
    {
        using var s = new Session();
        s.Ok("jail -c name=pg1 persist");
        var host = s.Ok("ps");
        Assert.StartsWith("  PID JID   UID COMMAND\n    1   0     0 init\n", host);
        Assert.Contains(" ps\n", host);
        var inJail = s.Ok("jexec pg1 ps");
        Assert.DoesNotContain("init", inJail);
        Assert.Contains("   1     0 jexec", inJail);
    }

    [Fact]
    public void Hostname_reads_the_callers_jail()
    {
        using var s = new Session();
        s.Ok("jail -c name=pg1 persist host.hostname=pg1.example");
        Assert.Equal("pg1.example\n", s.Ok("jexec pg1 hostname"));
        Assert.Equal("prison.local\n", s.Ok("hostname"));
    }

    [Fact]
    public void Kenv_sets_on_the_host_only()
    {
        using var s = new Session();
        Assert.Equal("kern.ipc.shmmni=\"64\"\n", s.Ok("kenv kern.ipc.shmmni=64"));
        Assert.Equal("64\n", s.Ok("kenv kern.ipc.shmmni"));
        Assert.Equal("kern.ipc.shmmni=\"64\"\n", s.Ok("kenv"));
        s.Ok("jail -c name=pg1 persist");
        Assert.Equal("kenv: unable to set x: Operation not permitted\n", s.Fails("jexec pg1 kenv x=1"));
        s.Ok("kenv -u kern.ipc.shmmni");
        Assert.Equal("kenv: unable to get kern.ipc.shmmni\n", s.Fails("kenv kern.ipc.shmmni"));
        Assert.Null(s.Kernel.Kenv.Get("x"));
    }

    [Fact]
    public void Echo_joins_words()
    {
        using var s = new Session();
        Assert.Equal("a b\n", s.Ok("echo a b"));
        Assert.Equal("a", s.Ok("echo -n a"));
    }
}
