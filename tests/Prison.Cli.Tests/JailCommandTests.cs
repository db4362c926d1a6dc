namespace Prison.Cli.Tests;

public class JailCommandTests
{
    [Fact]
    public void Jail_c_from_the_command_line_prints_nothing_and_v_announces()
    {
        using var s = new Session();
        Assert.Equal("", s.Ok("jail -c name=pg1 persist"));
        Assert.Equal("pg2: created\n", s.Ok("jail -v -c name=pg2 persist"));
        Assert.NotNull(s.Kernel.Jails.FindVisible(s.Kernel.Prison0, "pg1"));
    }

    [Fact]
    public void Jail_c_unknown_parameter_is_refused_and_nothing_is_created()
    {
        using var s = new Session();
        Assert.Equal("jail: unknown parameter: nosuch\n", s.Fails("jail -c name=pg1 persist nosuch=new"));
        Assert.Empty(s.Kernel.Jails.List(s.Kernel.Prison0));
    }

    [Fact]
    public void Jail_c_bad_value_and_duplicates_fail_with_the_kernels_reason()
    {
        using var s = new Session();
        s.Ok("jail -c name=pg1 persist");
        Assert.Equal("jail: jail \"pg1\" already exists\n", s.Fails("jail -c name=pg1 persist"));
        Assert.Contains("children.max", s.Fails("jail -c name=x children.max=abc"));
        Assert.StartsWith("usage: jail", s.Fails("jail -c", 64));
        Assert.StartsWith("usage: jail", s.Fails("jail", 64));
        Assert.Equal("jail: illegal option -- z\n", s.Fails("jail -z name=x", 64));
    }

    [Fact]
    public void Jail_m_updates_and_nopersist_forms_are_understood()
    {
        using var s = new Session();
        s.Ok("jail -c name=pg1 persist allow.nomount");
        Assert.Equal("", s.Ok("jail -m name=pg1 host.hostname=db.local"));
        Assert.Equal("db.local\n", s.Ok("jls -j pg1 host.hostname"));
        Assert.Equal("jail: jail \"nope\" not found\n", s.Fails("jail -m name=nope host.hostname=x"));
    }

    [Fact]
    public void Jail_r_by_name_and_by_jid()
    {
        using var s = new Session();
        s.Ok("jail -c name=a persist");
        s.Ok("jail -c name=b persist");
        Assert.Equal("a: removed\n", s.Ok("jail -r a"));
        Assert.Equal("b: removed\n", s.Ok("jail -r 2"));
        Assert.Equal("jail: jail \"a\" not found\n", s.Fails("jail -r a"));
        Assert.Equal("jail: jail \"99999999999999999999\" not found\n", s.Fails("jail -r 99999999999999999999"));
    }

    [Fact]
    public void Jls_default_verbose_and_name_value_forms()
    {
        using var s = new Session();
        s.Ok("jail -c name=pg1 persist host.hostname=pg1.local");
        Assert.Equal(
            "   JID  IP Address      Hostname                      Path\n" +
            "     1                  pg1.local                     /\n", s.Ok("jls"));
        Assert.Equal(
            "   JID  Hostname                      Path\n" +
            "        Name                          State\n" +
            "        CPUSetID\n" +
            "        IP Address(es)\n" +
            "     1  pg1.local                     /\n" +
            "        pg1                           ACTIVE\n" +
            "        -\n", s.Ok("jls -v"));
        var n = s.Ok("jls -n");
        Assert.StartsWith("jid=1 name=pg1 ", n);
        Assert.Contains(" persist", n);
        Assert.Contains(" nodying", n);
        Assert.Contains(" allow.nomount", n);
        Assert.Equal("name=pg1 persist\n", s.Ok("jls -n name persist"));
        Assert.Equal("1 pg1\n", s.Ok("jls jid name"));
    }

    [Fact]
    public void Jls_json_and_errors()
    {
        using var s = new Session();
        s.Ok("jail -c name=pg1 persist");
        var json = System.Text.Json.JsonDocument.Parse(s.Ok("jls --json"));
        var jail = json.RootElement.GetProperty("jail-information").GetProperty("jail")[0];
        Assert.Equal(1, jail.GetProperty("jid").GetInt64());
        Assert.Equal("/", jail.GetProperty("path").GetString());
        Assert.Equal("jls: jail \"x\" not found\n", s.Fails("jls -j x"));
        Assert.Equal("jls: unknown parameter: bogus\n", s.Fails("jls bogus"));
        Assert.StartsWith("jls: option requires an argument -- j\nusage: jls ", s.Fails("jls -j"), StringComparison.Ordinal);
    }

    [Fact]
    public void Jexec_runs_a_command_inside_the_jail_as_a_user_of_the_jail()
    {
        using var s = new Session();
        s.Ok("jail -c name=pg1 persist");
        Assert.Equal("security.jail.jailid: 1\n", s.Ok("jexec pg1 sysctl security.jail.jailid"));
        s.Ok("jexec pg1 pw useradd postgres -u 770");
        Assert.Equal("uid=770(postgres) gid=770(postgres) groups=770(postgres)\n", s.Ok("jexec -u postgres pg1 id"));
        Assert.Equal("postgres\n", s.Ok("jexec pg1 -u postgres whoami"));
        Assert.Equal("jexec: getpwnam: nobody: no such user\n", s.Fails("jexec -u nobody pg1 id"));
        Assert.Equal("jexec: jail \"nope\" not found\n", s.Fails("jexec nope id"));
        Assert.StartsWith("usage: jexec", s.Fails("jexec", 64));
        Assert.Equal("prison: nosuch: not found\n", s.Fails("jexec pg1 nosuch", 127));
    }

    [Fact]
    public void Jexec_processes_exit_after_the_command()
    {
        using var s = new Session();
        s.Ok("jail -c name=pg1 persist");
        var before = s.Kernel.Processes.All.Count;
        s.Ok("jexec pg1 id");
        Assert.Equal(before, s.Kernel.Processes.All.Count);
    }

    [Fact]
    public void Jexec_without_command_enters_the_jail_until_exit()
    {
        using var s = new Session();
        s.Ok("jail -c name=pg1 persist");
        Assert.Equal("# ", s.Shell.Prompt);
        s.Ok("jexec pg1");
        Assert.Equal("pg1# ", s.Shell.Prompt);
        Assert.Equal("security.jail.jailid: 1\n", s.Ok("sysctl security.jail.jailid"));
        s.Ok("exit");
        Assert.Equal("# ", s.Shell.Prompt);
        Assert.False(s.Shell.HasExited);
    }

    [Fact]
    public void A_jail_shell_whose_jail_is_removed_falls_back_to_the_host()
    {
        using var s = new Session();
        s.Ok("jail -c name=pg1 persist");
        s.Ok("jexec pg1");
        Assert.Equal("pg1# ", s.Shell.Prompt);
        s.Kernel.Syscalls.JailRemove(s.Kernel.Init, 1);
        Assert.Equal("# ", s.Shell.Prompt);
    }

    [Fact]
    public void Jailed_root_creates_children_only_within_children_max()
    {
        using var s = new Session();
        s.Ok("jail -c name=web persist children.max=1");
        Assert.Equal("", s.Ok("jexec web jail -c name=php persist"));
        Assert.Contains("prison limit exceeded", s.Fails("jexec web jail -c name=two persist"));
        Assert.Equal("jid=2 name=php\n", s.Ok("jexec web jls -n jid name"));
    }
}
