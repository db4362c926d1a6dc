using System.Text.RegularExpressions;

namespace Prison.Cli.Tests;

/// <summary>jls --graph: the structure of the picture (nodes, edges), not its pixels.</summary>
public partial class JailGraphTests
{
    /// <summary>The nodes (id → label) and edges (from, to, label, dashed) of a DOT graph.</summary>
    private static (Dictionary<string, string> Nodes, List<(string From, string To, string? Label, bool Dashed)> Edges) ParseDot(string dot)
    {
        Assert.StartsWith("digraph jails {", dot, StringComparison.Ordinal);
        var nodes = NodeLine().Matches(dot).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
        var edges = EdgeLine().Matches(dot).Select(m => (m.Groups[1].Value, m.Groups[2].Value,
            m.Groups[3].Success ? m.Groups[3].Value : null, m.Value.Contains("style=dashed", StringComparison.Ordinal))).ToList();
        foreach (var (from, to, _, _) in edges)
            Assert.True(nodes.ContainsKey(from) && nodes.ContainsKey(to), $"edge {from} -> {to} names a missing node");
        return (nodes, edges);
    }

    [Fact]
    public void The_postgres_example_draws_two_jails_each_with_its_own_shm_namespace_and_segment()
    {
        using var s = new Session();
        s.Shell.ScriptDirectory = Path.GetDirectoryName(RepoPaths.Example("postgres-jails.prison")); // jail -f jail.conf
        using (var script = new StreamReader(RepoPaths.Example("postgres-jails.prison")))
            Assert.Equal(0, s.Shell.RunScript(script, "postgres-jails.prison", keepGoing: false, echo: false));
        s.Run("echo the script's output is not what this test reads");
        var (nodes, edges) = ParseDot(s.Ok("jls --graph dot"));
        Assert.Equal("host (jid 0)", nodes["jail_0"]);
        Assert.Equal("pgsql01 (jid 1)", nodes["jail_1"]);
        Assert.Equal("pgsql02 (jid 2)", nodes["jail_2"]);
        Assert.Contains(("jail_0", "jail_1", null, false), edges);
        Assert.Contains(("jail_0", "jail_2", null, false), edges);
        Assert.Equal("sysvshm namespace of pgsql01: 1 object", nodes["sysvshm_1"]);
        Assert.Equal("sysvshm namespace of pgsql02: 1 object", nodes["sysvshm_2"]);
        Assert.Equal("sysvshm namespace of host: 0 objects", nodes["sysvshm_0"]);
        Assert.Contains(("jail_1", "sysvshm_1", "new", false), edges);
        Assert.Contains(("jail_2", "sysvshm_2", "new", false), edges);
        // sysvsem and sysvmsg are disabled in both jails: only the host's namespaces, no jail edges to them.
        Assert.DoesNotContain(edges, e => e.To.StartsWith("sysvsem", StringComparison.Ordinal) && e.From != "jail_0");
    }

    [Fact]
    public void An_inherit_jail_points_to_its_ancestors_namespace_which_counts_its_objects()
    {
        using var s = new Session();
        s.Ok("kldload sysvshm");
        s.Run("jail -c name=a persist sysvshm=new children.max=2");
        s.Run("jail -c name=a.b persist sysvshm=inherit");
        s.Run("jail -c name=c persist sysvshm=inherit");
        s.Ok("jexec a.b shmget 1 4096 IPC_CREAT|0600");
        s.Ok("jexec a shmget 2 4096 IPC_CREAT|0600");
        s.Ok("shmget 3 4096 IPC_CREAT|0600");
        var (nodes, edges) = ParseDot(s.Ok("jls --graph dot"));
        Assert.Contains(("jail_1", "jail_2", null, false), edges);
        Assert.Contains(("jail_2", "sysvshm_1", "inherit", true), edges);
        Assert.Contains(("jail_3", "sysvshm_0", "inherit", true), edges);
        Assert.Equal("sysvshm namespace of a: 2 objects", nodes["sysvshm_1"]);
        Assert.Equal("sysvshm namespace of host: 1 object", nodes["sysvshm_0"]);
        Assert.False(nodes.ContainsKey("sysvshm_2"), "an inherit jail has no namespace of its own");
    }

    [Fact]
    public void Delegated_datasets_hang_from_their_jail()
    {
        using var s = new Session();
        s.Ok("kldload zfs");
        s.Run("jail -c name=pg1 persist");
        s.Ok("zfs create -o jailed=on tank/pg1");
        s.Ok("zfs jail pg1 tank/pg1");
        var (nodes, edges) = ParseDot(s.Ok("jls --graph dot"));
        var dataset = Assert.Single(nodes, n => n.Value == "tank/pg1").Key;
        Assert.Contains(("jail_1", dataset, "zfs jail", false), edges);
    }

    [Fact]
    public void Mermaid_has_the_same_nodes_and_edges()
    {
        using var s = new Session();
        s.Ok("kldload sysvshm");
        s.Run("jail -c name=a persist sysvshm=inherit");
        var mermaid = s.Ok("jls --graph mermaid");
        Assert.StartsWith("flowchart TB\n", mermaid, StringComparison.Ordinal);
        Assert.Contains("  jail_1[\"a (jid 1)\"]\n", mermaid, StringComparison.Ordinal);
        Assert.Contains("  jail_0 --> jail_1\n", mermaid, StringComparison.Ordinal);
        Assert.Contains("  jail_1 -. inherit .-> sysvshm_0\n", mermaid, StringComparison.Ordinal);
        Assert.Contains("unknown format", s.Fails("jls --graph=png"), StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^  (\w+) \[label=""((?:[^""\\]|\\.)*)"", shape=\w+\];$", RegexOptions.Multiline)]
    private static partial Regex NodeLine();

    [GeneratedRegex(@"^  (\w+) -> (\w+)(?: \[label=""([^""]*)""(?:, style=dashed)?\])?;$", RegexOptions.Multiline)]
    private static partial Regex EdgeLine();
}
