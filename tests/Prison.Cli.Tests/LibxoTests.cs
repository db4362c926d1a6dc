using System.Text.Json;

namespace Prison.Cli.Tests;

/// <summary>--libxo json|xml|html with FreeBSD's element names, --json as its alias, accepted anywhere on the line.</summary>
public class LibxoTests
{
    [Fact]
    public void Jls_libxo_json_has_freebsds_shape_and_spacing()
    {
        using var s = new Session();
        s.Run("jail -c name=pg1 persist host.hostname=pg1.example.org");
        Assert.Equal("{\"__version\": \"2\", \"jail-information\": {\"jail\": [{\"jid\":1,\"ipv4\":\"\",\"hostname\":\"pg1.example.org\",\"path\":\"/\"}]}}\n", s.Ok("jls --libxo json"));
        Assert.Equal(s.Ok("jls --libxo json"), s.Ok("jls --json"));
        Assert.Equal(s.Ok("jls --libxo json"), s.Ok("jls --libxo=json"));
        Assert.Equal("{\"__version\": \"2\", \"jail-information\": {\"jail\": [{\"name\":\"pg1\",\"persist\":\"true\"}]}}\n", s.Ok("jls -j pg1 --libxo json name persist"));
        Assert.Equal("{\"__version\": \"2\", \"jail-information\": {\"jail\": [{\"jid\":1,\"hostname\":\"pg1.example.org\",\"path\":\"/\",\"name\":\"pg1\",\"state\":\"ACTIVE\", \"ipv4_addrs\": [], \"ipv6_addrs\": []}]}}\n", s.Ok("jls -v --libxo json"));
    }

    [Fact]
    public void Several_jails_are_instances_of_one_list()
    {
        using var s = new Session();
        s.Run("jail -c name=a persist");
        s.Run("jail -c name=b persist");
        var doc = JsonDocument.Parse(s.Ok("jls -N --libxo json"));
        var jails = doc.RootElement.GetProperty("jail-information").GetProperty("jail");
        Assert.Equal(["a", "b"], jails.EnumerateArray().Select(j => j.GetProperty("name").GetString()!));
        Assert.Contains("}, {", s.Ok("jls --json"), StringComparison.Ordinal);
    }

    [Fact]
    public void Xml_and_html_carry_the_same_names()
    {
        using var s = new Session();
        s.Run("jail -c name=pg1 persist host.hostname=x");
        Assert.Equal("<jail-information><jail><jid>1</jid><ipv4></ipv4><hostname>x</hostname><path>/</path></jail></jail-information>\n", s.Ok("jls --libxo xml"));
        var html = s.Ok("jls --libxo html");
        Assert.Contains("<div class=\"data\" data-tag=\"hostname\">x</div>", html, StringComparison.Ordinal);
        Assert.StartsWith("<div class=\"line\">", html, StringComparison.Ordinal);
        Assert.Contains("unknown output style: yaml", s.Fails("jls --libxo yaml"), StringComparison.Ordinal);
    }

    [Fact]
    public void Ps_and_df_have_their_libxo_documents()
    {
        using var s = new Session();
        var ps = JsonDocument.Parse(s.Ok("ps --libxo json")).RootElement;
        Assert.Equal("1", ps.GetProperty("__version").GetString());
        Assert.Contains(ps.GetProperty("process-information").GetProperty("process").EnumerateArray(), p => p.GetProperty("command").GetString() == "ps");
        var df = JsonDocument.Parse(s.Ok("df --libxo json")).RootElement;
        Assert.Equal(0, df.GetProperty("storage-system-information").GetProperty("filesystem").GetArrayLength());
    }

    [Fact]
    public void Json_is_accepted_anywhere_on_the_line()
    {
        using var s = new Session();
        s.Ok("kldload sysvshm");
        var after = JsonDocument.Parse(s.Ok("sysctl kern.ipc.shmsegs --json"));
        var before = JsonDocument.Parse(s.Ok("sysctl --json kern.ipc.shmsegs"));
        Assert.Equal(before.RootElement.ToString(), after.RootElement.ToString());
        JsonDocument.Parse(s.Ok("ipcs -m --json"));
        JsonDocument.Parse(s.Ok("kldstat --json -v"));
        // After -- it is an operand again.
        Assert.Contains("--json", s.Fails("sysctl -- --json"), StringComparison.Ordinal);
    }

    [Fact]
    public void Non_ascii_text_and_apostrophes_are_not_escaped()
    {
        using var s = new Session();
        s.Run("jail -c name=n persist \"host.hostname=日本語's\"");
        Assert.Contains("\"hostname\":\"日本語's\"", s.Ok("jls --libxo json"), StringComparison.Ordinal);
        Assert.Contains("日本語's", s.Ok("jexec n sysctl --json kern.hostname"), StringComparison.Ordinal);
        Assert.DoesNotContain("\\u", s.Ok("jexec n sysctl --json kern.hostname"), StringComparison.Ordinal);
    }

    [Fact]
    public void Jls_columns_align_by_display_width()
    {
        using var s = new Session();
        s.Run("jail -c name=日本 persist host.hostname=日本語ホスト");
        s.Run("jail -c name=ab persist host.hostname=abc");
        var lines = s.Ok("jls -v").Split('\n');
        // The path column starts at the same terminal column on both jails' first lines.
        Assert.Equal(Column(lines[4], "/"), Column(lines[7], "/"));
        Assert.Equal(Column(lines[5], "ACTIVE"), Column(lines[8], "ACTIVE"));
        var plain = s.Ok("jls").Split('\n');
        Assert.Equal(Column(plain[1], "/"), Column(plain[2], "/"));
    }

    private static int Column(string line, string text) => Prison.Cli.Userland.DisplayWidth.Of(line[..line.LastIndexOf(text, StringComparison.Ordinal)]);
}
