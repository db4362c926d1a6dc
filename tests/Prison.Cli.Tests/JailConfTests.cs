namespace Prison.Cli.Tests;

/// <summary>jail.conf(5) through jail -f: usr.sbin/jail/tests/jail_basic_test.sh's cases and the format's features.</summary>
public sealed class JailConfTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"prison-jailconf-{Guid.NewGuid():N}");

    public JailConfTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Conf(string text, string name = "jail.conf")
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Jid_name_set_a_numeric_block_is_the_jid_and_the_default_name()
    {
        using var s = new Session();
        var conf = Conf("5309 { name = basejail; persist; }\n");
        Assert.Equal("5309: created\n", s.Ok($"jail -f {conf} -c 5309"));
        Assert.Equal("basejail\n", s.Ok("jls -j 5309 name"));
        Assert.Equal("5309: removed\n", s.Ok($"jail -f {conf} -r 5309"));

        Conf("5309 { host.hostname = \"${name}\"; persist; }\n");
        Assert.Equal("5309: created\n", s.Ok($"jail -f {conf} -c 5309"));
        Assert.Equal("5309\n", s.Ok("jls -j 5309 host.hostname"));
        Assert.Equal("5309: removed\n", s.Ok($"jail -f {conf} -r 5309"));

        Conf("basejail { jid = 5309; persist; }\n");
        Assert.Equal("basejail: created\n", s.Ok($"jail -f {conf} -c basejail"));
        Assert.Equal("5309\n", s.Ok("jls -j basejail jid"));
        Assert.Equal("basejail: removed\n", s.Ok($"jail -f {conf} -r basejail"));
    }

    [Fact]
    public void Commands_run_on_the_host_and_in_the_jail_with_JID_JNAME_and_JPATH()
    {
        using var s = new Session();
        var conf = Conf("""
            exec.prestart = "echo START";
            exec.start = "sysctl -n security.jail.jailid";
            exec.poststart = 'echo JID=$JID JNAME=${JNAME} JPATH=$JPATH';
            exec.prestop = "echo STOP";
            exec.poststop = 'echo JID=$JID';
            basejail { persist; path = "/jails/base"; }
            """);
        Assert.Equal("START\n1\nJID=1 JNAME=basejail JPATH=/jails/base\n", s.Ok($"jail -f {conf} -qc basejail"));
        Assert.Equal("STOP\nJID=1\n", s.Ok($"jail -f {conf} -qr basejail"));
        s.Ok($"jail -f {conf} -qc basejail");
        Assert.Equal("STOP\nJID=2\n", s.Ok($"jail -f {conf} -qr 2")); // by jid: found by the running jail's name
    }

    [Fact]
    public void A_failing_hook_stops_the_operation_and_says_which_command()
    {
        using var s = new Session();
        var conf = Conf("j { persist; exec.prestart = \"sysctl no.such.oid\"; }\nk { persist; exec.start = \"sysctl no.such.oid\"; }\n");
        var error = s.Fails($"jail -f {conf} -c j", 1);
        Assert.EndsWith("jail: j: sysctl no.such.oid: failed\n", error);
        Assert.Equal("", s.Ok("jls name"));
        // A start command that fails takes the new jail down again, persist or not.
        Assert.EndsWith("jail: k: sysctl no.such.oid: failed\n", s.Fails($"jail -f {conf} -c k", 1));
        Assert.Equal("", s.Ok("jls name"));
    }

    [Fact]
    public void Globals_wildcard_and_the_jails_block_apply_in_that_order_with_variables_and_append()
    {
        using var s = new Session();
        var conf = Conf("""
            # comment
            // another
            /* a block
               comment */
            $domain = "example.org";
            persist;
            host.hostname = "global";
            * { host.hostname = "${name}.$domain"; exec.poststart = "echo one"; }
            a { exec.poststart += "echo two"; }
            b { host.hostname = 'b.${literal}'; }
            """);
        Assert.Equal("a: created\none\ntwo\nb: created\none\n", s.Ok($"jail -f {conf} -c"));
        Assert.Equal("a a.example.org\nb \"b.${literal}\"\n", s.Ok("jls name host.hostname")); // jls quotes a value with '$' 
        Assert.Equal("b: removed\na: removed\n", s.Ok($"jail -f {conf} -r *"));
    }

    [Fact]
    public void Include_reads_other_files_relative_to_the_including_one()
    {
        using var s = new Session();
        Directory.CreateDirectory(Path.Combine(_dir, "jail.conf.d"));
        Conf("x { persist; host.hostname = x.local; }\n", Path.Combine("jail.conf.d", "x.conf"));
        Conf("y { persist; }\n", Path.Combine("jail.conf.d", "y.conf"));
        var conf = Conf(".include \"jail.conf.d/*.conf\";\n");
        Assert.Equal("x: created\ny: created\n", s.Ok($"jail -f {conf} -c"));
        Assert.Equal("x.local\n", s.Ok("jls -j x host.hostname"));
    }

    [Theory]
    [InlineData("a { persist }\n", ":1: missing ';' after persist")]
    [InlineData("a { persist;\n", ":2: missing '}' for jail a")]
    [InlineData("a { host.hostname = \"open; }\n", ":1: unterminated quoted string")]
    [InlineData("a { persist; host.hostname = $nope; }\n", "a: host.hostname: variable \"nope\" not found")]
    [InlineData("/* never closed\n", ":1: unterminated comment")]
    public void Bad_config_files_are_refused_with_the_place_and_nothing_is_created(string text, string message)
    {
        using var s = new Session();
        var conf = Conf(text);
        var error = s.Fails($"jail -f {conf} -c a", 1);
        Assert.Contains(message, error);
        Assert.Equal("", s.Ok("jls name"));
    }

    [Fact]
    public void A_name_the_file_does_not_define_is_not_found_and_a_missing_file_is_named()
    {
        using var s = new Session();
        var conf = Conf("a { persist; }\n");
        Assert.Equal("jail: \"zz\" not found\n", s.Fails($"jail -f {conf} -c zz", 1));
        var missing = Path.Combine(_dir, "missing.conf");
        Assert.Equal($"jail: {missing}: No such file or directory\n", s.Fails($"jail -f {missing} -c a", 1));
    }

    [Fact]
    public void The_postgres_example_config_creates_both_jails_with_their_own_shm_namespace()
    {
        using var s = new Session();
        var conf = Path.Combine(RepoPaths.Root(), "examples", "jail.conf");
        var output = s.Ok($"jail -f {conf} -c");
        Assert.Contains("pgsql01: created\n", output);
        Assert.Contains("pgsql02: created\n", output);
        Assert.Equal("name=pgsql01 sysvshm=new\nname=pgsql02 sysvshm=new\n", s.Ok("jls -n name sysvshm"));
    }

    [Fact]
    public void Allow_dying_in_the_file_warns_once_and_is_not_passed_on()
    {
        using var s = new Session();
        var conf = Conf("allow.dying;\nd { persist; }\ne { persist; }\n");
        var (status, output, error) = s.Run($"jail -f {conf} -c");
        Assert.Equal(0, status);
        Assert.Equal("d: created\ne: created\n", output);
        Assert.Equal("jail: the 'allow.dying' parameter and '-d' flag are deprecated and have no effect\n", error);
    }
}
