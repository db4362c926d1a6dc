namespace Prison.Cli.Tests;

public class JdCommandTests
{
    [Fact]
    public void Get_keeps_the_descriptor_in_the_shell_between_commands()
    {
        using var s = new Session();
        s.Ok("jail -c name=web persist");
        Assert.Equal("3\n", s.Ok("jd get web"));
        Assert.Equal("4\n", s.Ok("jd get 1"));
        Assert.Equal("""
             FD    JID NAME             STATE  RIGHTS             OWNING
              3      1 web              ALIVE  attach,remove,set  no
              4      1 web              ALIVE  attach,remove,set  no

            """.Replace("\r", "", StringComparison.Ordinal), s.Ok("jd list"));
        Assert.Equal("1\n", s.Ok("jd attach 3 sysctl -n security.jail.jailid"));
        Assert.Equal("jd: jail \"nope\" not found\n", s.Fails("jd get nope"));
    }

    [Fact]
    public void An_owning_descriptor_removes_its_jail_at_the_last_close()
    {
        using var s = new Session();
        Assert.Equal("3\n", s.Ok("jd create name=web persist"));
        s.Ok("jexec web sysctl -n security.jail.jailid"); // a command forked meanwhile does not keep a copy
        s.Ok("jd close 3");
        Assert.Equal("jls: jail \"web\" not found\n", s.Fails("jls -j web"));
        Assert.Equal("jd: close(3): Bad file descriptor\n", s.Fails("jd close 3"));
    }

    [Fact]
    public void Get_with_o_owns_and_remove_removes()
    {
        using var s = new Session();
        s.Ok("jail -c name=a persist");
        s.Ok("jail -c name=b persist");
        Assert.Equal("3\n", s.Ok("jd get -o a"));
        Assert.Equal("4\n", s.Ok("jd get b"));
        s.Ok("jd remove 4");
        Assert.Contains(" 4      2 b                DYING", s.Ok("jd list"));
        Assert.Equal("jd: jail_remove_jd(4): No such file or directory\n", s.Fails("jd remove 4"));
        Assert.Equal("jd: jail_attach_jd(9): Bad file descriptor\n", s.Fails("jd attach 9 id"));
        Assert.Equal("jd: jail_attach_jd(0): Invalid argument\n", s.Fails("jd attach 0 id"));
        s.Ok("jd close 3");
        Assert.Equal("", s.Ok("jls -n name").Trim());
    }

    [Fact]
    public void Root_hands_a_descriptor_to_an_unprivileged_user()
    {
        using var s = new Session();
        s.Ok("pw useradd alice -u 1001");
        s.Ok("jail -c name=web persist");
        Assert.Equal("3\n", s.Ok("jd get web"));
        Assert.Equal("3\n", s.Ok("jd pass 3 alice"));
        Assert.Equal("uid=1001 gid=1001 groups=1001\n", s.Ok("jd -u alice attach 3 id"));
        Assert.Equal("4\n", s.Ok("jd -u alice get web"));
        Assert.Equal("jd: jail_attach_jd(4): Operation not permitted\n", s.Fails("jd -u alice attach 4 id"));
        Assert.StartsWith("jd: ", s.Fails("jd -u alice get -o web"));
        Assert.Equal("jd: getpwnam: bob: no such user\n", s.Fails("jd pass 3 bob"));
        Assert.Equal("jd: pass(7): Bad file descriptor\n", s.Fails("jd pass 7 alice"));
        Assert.Equal("jd: getpwnam: bob: no such user\n", s.Fails("jd -u bob list"));
    }

    [Fact]
    public void Rights_only_narrow()
    {
        using var s = new Session();
        s.Ok("jail -c name=web persist");
        s.Ok("jd get web");
        s.Ok("jd limit 3 attach,set");
        Assert.Equal("jd: jail_remove_jd(3): Capabilities insufficient\n", s.Fails("jd remove 3"));
        Assert.Equal("jd: cap_rights_limit(3): Capabilities insufficient\n", s.Fails("jd limit 3 attach,remove"));
        s.Ok("jd limit 3 none");
        Assert.Equal("jd: jail_attach_jd(3): Capabilities insufficient\n", s.Fails("jd attach 3 id"));
        Assert.Contains("none", s.Ok("jd list"));
        Assert.Equal("jd: cap_rights_limit(0): Invalid argument\n", s.Fails("jd limit 0 none"));
        Assert.StartsWith("usage: jd", s.Fails("jd limit 3 fly", 64));
    }

    [Fact]
    public void Watch_prints_pending_events_without_blocking()
    {
        using var s = new Session();
        s.Ok("jail -c name=web persist children.max=2");
        s.Ok("jd get web");
        Assert.Equal("", s.Ok("jd watch 3"));
        s.Ok("jail -m name=web host.hostname=w");
        s.Ok("jail -c name=web.a persist");
        s.Ok("jail -c name=web.b persist");
        var events = s.Ok("jd watch 3");
        Assert.Equal("set jid=1\nchild jid=3 multi\n", events);
        Assert.Equal("", s.Ok("jd watch 3"));
        s.Ok("jail -r web");
        Assert.Equal("remove jid=1\n", s.Ok("jd watch 3"));
        Assert.Equal("jd: watch(8): Bad file descriptor\n", s.Fails("jd watch 8"));
        Assert.Equal("jd: watch(1): Invalid argument\n", s.Fails("jd watch 1"));
    }

    [Fact]
    public void Attach_without_a_command_opens_a_shell_in_the_jail()
    {
        using var s = new Session();
        s.Ok("jail -c name=web persist");
        s.Ok("jd get web");
        s.Ok("jd attach 3");
        Assert.Equal("web# ", s.Shell.Prompt);
        s.Ok("exit");
        Assert.Equal("# ", s.Shell.Prompt);
    }

    [Fact]
    public void Usage_and_bad_arguments()
    {
        using var s = new Session();
        Assert.StartsWith("usage: jd", s.Fails("jd", 64));
        Assert.StartsWith("usage: jd", s.Fails("jd frob", 64));
        Assert.StartsWith("usage: jd", s.Fails("jd close x", 64));
        Assert.Equal("jd: invalid parameter: \"desc=3\"\n", s.Fails("jd create name=x desc=3"));
    }
}
