namespace Prison.Cli.Tests;

/// <summary>The cases of the kern_jail_set hierarchy rules and of jail(8) as admins use it, through the CLI.</summary>
public class JailHierarchyCliTests
{
    private const string NotPermitted = "jail: jail_set: Operation not permitted\n";

    [Fact]
    public void Children_max_must_be_below_the_parents_inside_and_from_the_host()
    {
        using var s = new Session();
        s.Ok("jail -c name=outer persist children.max=2");
        Assert.Equal(NotPermitted, s.Fails("jexec outer jail -c name=same persist children.max=2", 1));
        s.Ok("jail -c name=h persist children.max=2");
        Assert.Equal(NotPermitted, s.Fails("jail -c name=h.same persist children.max=2", 1));
        Assert.Equal("jid=1 name=outer\njid=2 name=h\n", s.Ok("jls -n jid name"));
    }

    [Theory]
    [InlineData("allow.mount")]
    [InlineData("allow.raw_sockets")]
    public void Allow_flags_beyond_the_parents_are_refused_and_nothing_is_created(string flag)
    {
        using var s = new Session();
        s.Ok("jail -c name=builder persist children.max=4");
        Assert.Equal(NotPermitted, s.Fails($"jexec builder jail -c name=ref persist {flag}", 1));
        Assert.Equal("children.cur=0\n", s.Ok("jls -n -j builder children.cur"));
    }

    [Fact]
    public void A_numeric_name_is_refused_unless_it_is_the_jid()
    {
        using var s = new Session();
        s.Ok("jail -c name=x persist");
        s.Ok("jail -c name=y persist");
        Assert.Equal("jail: name cannot be numeric (unless it is the jid)\n", s.Fails("jail -c name=0 persist", 1));
        s.Ok("jail -c name=17 persist");
        Assert.Equal("17\n", s.Ok("jls -j 17 jid"));
    }

    [Fact]
    public void Jexec_takes_a_jid_or_a_name()
    {
        using var s = new Session();
        s.Ok("jail -c name=a persist jid=40");
        Assert.Equal("40\n", s.Ok("jexec 40 sysctl -n security.jail.jailid"));
        Assert.Equal("40\n", s.Ok("jexec a sysctl -n security.jail.jailid"));
        Assert.Equal("jexec: jail \"41\" not found\n", s.Fails("jexec 41 hostname"));
    }

    [Fact]
    public void Dash_d_and_allow_dying_warn_and_do_the_operation()
    {
        using var s = new Session();
        s.Ok("jail -c name=foo persist");
        var (status, output, error) = s.Run("jail -d -r foo");
        Assert.Equal(0, status);
        Assert.Equal("foo: removed\n", output);
        Assert.Equal("jail: the 'allow.dying' parameter and '-d' flag are deprecated and have no effect\n", error);
        (status, output, error) = s.Run("jail -c name=bar persist allow.dying");
        Assert.Equal(0, status);
        Assert.Equal("", output);
        Assert.Equal("jail: the 'allow.dying' parameter and '-d' flag are deprecated and have no effect\n", error);
        Assert.Equal("bar\n", s.Ok("jls name"));
    }

    [Fact]
    public void A_command_line_create_prints_nothing_v_announces_and_q_silences()
    {
        using var s = new Session();
        Assert.Equal("", s.Ok("jail -c name=p persist children.max=1"));
        Assert.Equal("q: created\n", s.Ok("jail -v -c name=q persist"));
        Assert.Equal("3: created\n", s.Ok("jail -v -c persist host.hostname=x")); // no name: the jid names it
        Assert.Equal("", s.Ok("jail -q -r 3"));
        Assert.Equal("", s.Ok("jail -q -r q"));
        Assert.Equal("p: removed\n", s.Ok("jail -r p"));
    }

    [Fact]
    public void A_jail_that_may_not_have_children_gets_EPERM_without_the_limit_message()
    {
        using var s = new Session();
        s.Ok("jail -c name=n persist");
        Assert.Equal(NotPermitted, s.Fails("jexec n jail -c name=c persist", 1));
        s.Ok("jail -c name=full persist children.max=1");
        s.Ok("jexec full jail -c name=one persist");
        Assert.Equal("jail: prison limit exceeded\n", s.Fails("jexec full jail -c name=two persist", 1));
    }

    [Fact]
    public void Rc_restarts_and_cm_creates_or_modifies_silently()
    {
        using var s = new Session();
        Assert.Equal("", s.Ok("jail -cm name=b persist"));
        Assert.Equal("1\n", s.Ok("jls -j b jid"));
        Assert.Equal("", s.Ok("jail -cm name=b persist host.hostname=b.local"));
        Assert.Equal("1 b.local\n", s.Ok("jls -j b jid host.hostname"));
        Assert.Equal("", s.Ok("jail -rc name=b persist"));
        Assert.Equal("2\n", s.Ok("jls -j b jid")); // removed, then created again
        Assert.Equal("b: removed\nb: created\n", s.Ok("jail -v -rc name=b persist"));
    }

    [Fact]
    public void A_create_without_persist_or_command_leaves_no_jail()
    {
        using var s = new Session();
        Assert.Equal("", s.Ok("jail -c name=t"));
        Assert.Equal("", s.Ok("jls name"));
    }

    [Fact]
    public void Host_root_loads_the_module_behind_a_parameter_jailed_root_cannot()
    {
        using var s = new Session();
        Assert.Null(s.Kernel.Modules.Find("sysvshm"));
        Assert.Equal("", s.Ok("jail -c name=o persist sysvshm=new children.max=1"));
        Assert.NotNull(s.Kernel.Modules.Find("sysvshm"));
        Assert.Equal("sysvshm=new\n", s.Ok("jls -n -j o sysvshm"));
        Assert.Null(s.Kernel.Modules.Find("sysvsem"));
        Assert.Equal("jail: unknown parameter: sysvsem\n", s.Fails("jexec o jail -c name=i persist sysvsem=new", 1));
        Assert.Null(s.Kernel.Modules.Find("sysvsem"));
    }

    [Fact]
    public void Kern_hostname_is_writable_by_host_root_and_by_a_jail_with_allow_set_hostname()
    {
        using var s = new Session();
        Assert.Equal("kern.hostname: prison.local -> foo\n", s.Ok("sysctl kern.hostname=foo"));
        Assert.Equal("foo\n", s.Ok("hostname"));
        s.Ok("jail -c name=a persist allow.set_hostname");
        s.Ok("jail -c name=b persist");
        s.Ok("jexec a sysctl kern.hostname=a.example");
        Assert.Equal("a a.example\nb foo\n", s.Ok("jls name host.hostname"));
        Assert.Equal("sysctl: kern.hostname=b.example: Operation not permitted\n", s.Fails("jexec b sysctl kern.hostname=b.example", 1));
        Assert.Equal("foo\n", s.Ok("jexec b hostname"));
        Assert.Equal("foo\n", s.Ok("hostname"));
    }

    [Fact]
    public void An_rctl_rule_may_name_a_jail_that_does_not_exist_yet()
    {
        using var s = new Session();
        s.Ok("rctl -a jail:later:nshm:deny=1");
        s.Ok("jail -c name=later persist sysvshm=new");
        Assert.Equal("ok $0\n", s.Ok("jexec later shmget 7 4096 IPC_CREAT|0600"));
        Assert.Equal("err ENOSPC\n", s.Fails("jexec later shmget 8 4096 IPC_CREAT|0600"));
    }

    [Fact]
    public void Jail_m_by_jid_renames_and_the_children_follow()
    {
        using var s = new Session();
        s.Ok("jail -c name=web persist children.max=1");
        s.Ok("jexec web jail -c name=php persist");
        Assert.Equal("", s.Ok("jail -m jid=1 name=www"));
        Assert.Equal("www\nwww.php\n", s.Ok("jls name"));
        Assert.Equal("php\n", s.Ok("jexec www jls name"));
        Assert.Equal("jail: cannot change jail's parent\n", s.Fails("jail -m jid=2 name=other.php", 1));
    }

    [Fact]
    public void Command_runs_in_the_new_jail_which_then_goes_away_without_persist()
    {
        using var s = new Session();
        s.Ok("jail -c name=keep persist");
        Assert.Equal("2\n", s.Ok("jail -c name=once command=sysctl -n security.jail.jailid"));
        Assert.Equal("keep\n", s.Ok("jls name"));
        Assert.EndsWith("\njail: sysctl no.such: failed\n", s.Fails("jail -c name=bad command=sysctl no.such", 1));
        Assert.Equal("keep\n", s.Ok("jls name"));
    }

    [Fact]
    public void Jail_r_star_removes_every_running_jail()
    {
        using var s = new Session();
        s.Ok("jail -c name=a persist children.max=1");
        s.Ok("jail -c name=a.b persist");
        s.Ok("jail -c name=c persist");
        Assert.Equal("c: removed\na: removed\n", s.Ok("jail -r *"));
        Assert.Equal("", s.Ok("jls name"));
    }

    [Fact]
    public void A_user_who_is_not_root_gets_jail_set_operation_not_permitted()
    {
        using var s = new Session();
        s.Ok("jail -c name=a persist children.max=1");
        s.Ok("jexec a pw useradd alice -u 1001");
        Assert.Equal("jail: jail_set: Operation not permitted\n", s.Fails("jexec -u alice a jail -c name=b persist", 1));
    }
}
