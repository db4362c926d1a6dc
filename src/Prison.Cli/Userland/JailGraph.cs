using System.Globalization;
using System.Text;
using Prison.Cli.Shell;
using Prison.Core.Ipc;
using Prison.Core.Zfs;

namespace Prison.Cli.Userland;

/// <summary>
/// <c>jls --graph dot|mermaid</c>: a picture of what the caller's jail can see. It draws the jail tree;
/// for each loaded System V service (sysvshm, sysvsem, sysvmsg) the namespace each jail resolves to (a
/// <c>new</c> jail owns one, an <c>inherit</c> jail has an edge to its nearest ancestor's, a
/// <c>disable</c> jail has none), with the number of objects in each namespace; and the datasets
/// delegated with <c>zfs jail</c>. Graphviz renders the DOT form (<c>dot -Tsvg</c>); Markdown viewers
/// that know Mermaid render the other.
/// </summary>
internal static class JailGraph
{
    private static readonly string[] Services = ["sysvshm", "sysvsem", "sysvmsg"];

    /// <summary>One node: its id, its label, its kind (jail, namespace, dataset).</summary>
    internal sealed record Node(string Id, string Label, NodeKind Kind);

    /// <summary>One edge, with a label and whether it is drawn dashed (inherit).</summary>
    internal sealed record Edge(string From, string To, string? Label, bool Dashed);

    internal enum NodeKind
    {
        Jail,
        Namespace,
        Dataset,
    }

    public static int Run(CommandContext context, string format, string? jail)
    {
        if (jail is not null)
            return context.Fail("--graph draws every jail the caller sees; -j is not supported with it", 64);
        var (nodes, edges) = Build(context);
        context.Out.Write(format == "dot" ? Dot(nodes, edges) : Mermaid(nodes, edges));
        return 0;
    }

    /// <summary>The nodes and edges of the picture, as the command's process sees the kernel.</summary>
    internal static (IReadOnlyList<Node> Nodes, IReadOnlyList<Edge> Edges) Build(CommandContext context)
    {
        var known = JailQueries.Parameters(context).Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var services = Services.Where(known.Contains).ToArray();
        var jails = JailQueries.List(context, ["jid", "name", "parent", .. services], dying: false);
        var viewer = context.Proc.Jail;
        var rootLabel = viewer.IsHost ? "host" : viewer.Name;
        var nodes = new List<Node> { new(JailId(0), $"{rootLabel} (jid {viewer.Id.ToString(CultureInfo.InvariantCulture)})", NodeKind.Jail) };
        var edges = new List<Edge>();
        var parentOf = new Dictionary<int, int>();
        var setting = new Dictionary<(string Service, int Jid), string>();
        foreach (var j in jails)
        {
            var jid = Int(j["jid"]);
            var parent = Int(j["parent"]);
            parentOf[jid] = parent;
            nodes.Add(new Node(JailId(jid), $"{j["name"]} (jid {jid.ToString(CultureInfo.InvariantCulture)})", NodeKind.Jail));
            edges.Add(new Edge(JailId(parent), JailId(jid), null, Dashed: false));
            foreach (var service in services)
                setting[(service, jid)] = j[service] ?? "disable";
        }

        foreach (var service in services)
        {
            // The namespace root each jail resolves to: itself when new, its parent's when inherit.
            int? Root(int jid)
            {
                while (true)
                {
                    if (jid == 0)
                        return 0;
                    switch (setting[(service, jid)])
                    {
                        case "new":
                            return jid;
                        case "inherit":
                            jid = parentOf[jid];
                            continue;
                        default:
                            return null;
                    }
                }
            }
            var counts = ObjectsByCreator(context, service);
            var roots = new SortedDictionary<int, int> { [0] = 0 };
            foreach (var jid in parentOf.Keys)
            {
                if (Root(jid) is { } r)
                    roots.TryAdd(r, 0);
            }
            foreach (var (creator, count) in counts)
            {
                // Objects of jails the caller cannot see count in the caller's own namespace.
                var root = creator == viewer.Id || !parentOf.ContainsKey(creator) ? 0 : Root(creator);
                if (root is { } r)
                    roots[r] = roots.GetValueOrDefault(r) + count;
            }
            foreach (var (root, count) in roots)
            {
                var owner = root == 0 ? rootLabel : nodes.First(n => n.Id == JailId(root)).Label.Split(' ')[0];
                nodes.Add(new Node(NamespaceId(service, root), $"{service} namespace of {owner}: {Objects(count)}", NodeKind.Namespace));
                edges.Add(new Edge(JailId(root), NamespaceId(service, root), root == 0 ? "own" : "new", Dashed: false));
            }
            foreach (var jid in parentOf.Keys.Order())
            {
                if (setting[(service, jid)] == "inherit" && Root(jid) is { } r)
                    edges.Add(new Edge(JailId(jid), NamespaceId(service, r), "inherit", Dashed: true));
            }
        }

        var datasetIds = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var jid in parentOf.Keys.Order())
        {
            var attached = context.Syscalls.ZfsAttached(context.Proc, jid.ToString(CultureInfo.InvariantCulture));
            if (!attached.Ok)
                continue;
            foreach (var dataset in attached.Value)
            {
                if (!datasetIds.TryGetValue(dataset, out var id))
                {
                    // Numbered, so tank/a_b and tank/a/b stay two nodes.
                    id = $"ds{datasetIds.Count.ToString(CultureInfo.InvariantCulture)}_{Sanitize(dataset)}";
                    datasetIds[dataset] = id;
                    nodes.Add(new Node(id, dataset, NodeKind.Dataset));
                }
                edges.Add(new Edge(JailId(jid), id, "zfs jail", Dashed: false));
            }
        }
        return (nodes, edges);
    }

    /// <summary>Graphviz DOT: jails as boxes, namespaces as ellipses, datasets as cylinders.</summary>
    internal static string Dot(IReadOnlyList<Node> nodes, IReadOnlyList<Edge> edges)
    {
        var sb = new StringBuilder();
        sb.Append("digraph jails {\n");
        sb.Append("  rankdir=TB;\n");
        sb.Append("  node [fontname=\"Helvetica\"];\n");
        sb.Append("  edge [fontname=\"Helvetica\", fontsize=10];\n");
        foreach (var n in nodes)
        {
            var shape = n.Kind switch
            {
                NodeKind.Jail => "box",
                NodeKind.Namespace => "ellipse",
                _ => "cylinder",
            };
            sb.Append(CultureInfo.InvariantCulture, $"  {n.Id} [label={DotString(n.Label)}, shape={shape}];\n");
        }
        foreach (var e in edges)
        {
            var attributes = new List<string>();
            if (e.Label is not null)
                attributes.Add("label=" + DotString(e.Label));
            if (e.Dashed)
                attributes.Add("style=dashed");
            var suffix = attributes.Count > 0 ? " [" + string.Join(", ", attributes) + "]" : "";
            sb.Append(CultureInfo.InvariantCulture, $"  {e.From} -> {e.To}{suffix};\n");
        }
        sb.Append("}\n");
        return sb.ToString();
    }

    /// <summary>A Mermaid flowchart of the same graph (dotted arrows for inherit).</summary>
    internal static string Mermaid(IReadOnlyList<Node> nodes, IReadOnlyList<Edge> edges)
    {
        var sb = new StringBuilder("flowchart TB\n");
        foreach (var n in nodes)
        {
            var label = MermaidString(n.Label);
            sb.Append("  ").Append(n.Id).Append(n.Kind switch
            {
                NodeKind.Jail => $"[{label}]",
                NodeKind.Namespace => $"([{label}])",
                _ => $"[({label})]",
            }).Append('\n');
        }
        foreach (var e in edges)
        {
            var arrow = e.Label is null ? "-->" : e.Dashed ? $"-. {e.Label} .->" : $"-- {e.Label} -->";
            sb.Append(CultureInfo.InvariantCulture, $"  {e.From} {arrow} {e.To}\n");
        }
        return sb.ToString();
    }

    /// <summary>Objects per creator jid in the service's sysctl records (kern.ipc.shmsegs, .sema, .msqids).</summary>
    private static Dictionary<int, int> ObjectsByCreator(CommandContext context, string service)
    {
        var oid = service switch
        {
            "sysvshm" => "kern.ipc.shmsegs",
            "sysvsem" => "kern.ipc.sema",
            _ => "kern.ipc.msqids",
        };
        var read = context.Syscalls.Sysctl(context.Proc, oid);
        IEnumerable<int> creators = read.Ok ? read.Value switch
        {
            IReadOnlyList<ShmSegmentInfo> shm => shm.Select(s => s.CreatorJid),
            IReadOnlyList<SemSetInfo> sem => sem.Select(s => s.CreatorJid),
            IReadOnlyList<MsgQueueInfo> msg => msg.Select(s => s.CreatorJid),
            _ => [],
        } : [];
        return creators.GroupBy(c => c).ToDictionary(g => g.Key, g => g.Count());
    }

    private static string Objects(int count) => count == 1 ? "1 object" : $"{count.ToString(CultureInfo.InvariantCulture)} objects";

    private static string JailId(int jid) => "jail_" + jid.ToString(CultureInfo.InvariantCulture);

    private static string NamespaceId(string service, int root) => $"{service}_{root.ToString(CultureInfo.InvariantCulture)}";

    private static int Int(string? s) => int.TryParse(s, CultureInfo.InvariantCulture, out var n) ? n : 0;

    private static string Sanitize(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (var c in s)
            sb.Append(char.IsAsciiLetterOrDigit(c) ? c : '_');
        return sb.ToString();
    }

    private static string DotString(string s) =>
        "\"" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    private static string MermaidString(string s) =>
        "\"" + s.Replace("\"", "#quot;", StringComparison.Ordinal) + "\"";
}
