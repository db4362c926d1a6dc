using System.Globalization;
using Prison.Cli.Shell;
using Prison.Core.Jails;

namespace Prison.Cli.Userland;

/// <summary>
/// jls(8) (usr.sbin/jls/jls.c): list the jails the caller can see. The default, <c>-v</c>, <c>-n</c>,
/// <c>-s</c>, <c>-h</c> and named-parameter forms print as FreeBSD's do, columns padded by display width
/// (a wide character takes two columns); <c>--libxo json|xml|html</c> (and <c>--json</c>) gives libxo's
/// <c>jail-information</c> document, and <c>--graph dot|mermaid</c> the picture of the jail tree and its
/// IPC namespaces (<see cref="JailGraph"/>).
/// </summary>
internal static class JlsCommand
{
    /// <summary>jls's libxo version (JLS_XO_VERSION).</summary>
    private const string XoVersion = "2";

    public static int Run(CommandContext context)
    {
        var args = context.Args.ToList();
        string? graph = null;
        var at = args.FindIndex(a => a == "--graph" || a.StartsWith("--graph=", StringComparison.Ordinal));
        if (at >= 0)
        {
            graph = args[at] == "--graph" ? (at + 1 < args.Count && !args[at + 1].StartsWith('-') && args[at + 1] is "dot" or "mermaid" ? args[at + 1] : "dot") : args[at][8..];
            args.RemoveRange(at, args[at] == "--graph" && at + 1 < args.Count && args[at + 1] == graph ? 2 : 1);
            if (graph is not ("dot" or "mermaid"))
                return context.Fail($"--graph: unknown format: {CommandLineParser.Printable(graph)} (dot or mermaid)", 64);
        }
        var options = Getopt.Parse(args, "adhj:nNqsv", allowJson: true, out var error, libxo: true);
        if (options is null)
            return context.BadOption(error!);
        if (graph is not null)
            return JailGraph.Run(context, graph, options.Value('j'));
        var dying = options.Has('d') || options.Has('a');
        // The last of -h, -n, -s, -v wins, as in jls.c's getopt loop.
        var mode = options.Items.Select(i => i.Option).LastOrDefault(c => c is 'h' or 'n' or 's' or 'v');
        var paramTypes = JailQueries.Parameters(context);
        var known = paramTypes.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var requested in options.Operands)
        {
            if (!known.Contains(requested))
                return context.Fail($"unknown parameter: {CommandLineParser.Printable(requested)}");
        }
        var explicitParams = options.Operands.Count > 0;
        if (explicitParams && mode == 'v')
            mode = '\0';
        var everything = new List<string> { "jid", "name" };
        everything.AddRange(paramTypes.Select(p => p.Name).Where(n => n is not ("jid" or "name")));
        IReadOnlyList<string> wanted = explicitParams ? options.Operands
            : mode is 'n' or 's' or 'h' ? everything
            : Optional(known, ["jid", "name", "host.hostname", "dying", "path", "cpuset.id", "ip4.addr", "ip6.addr"]);
        IReadOnlyList<JailParams> jails;
        if (options.Value('j') is { } one)
        {
            var got = JailQueries.Get(context, one, wanted, dying);
            if (!got.Ok)
                return context.Fail(got.ErrorText);
            jails = [got.Value];
        }
        else
        {
            jails = JailQueries.List(context, wanted, dying);
        }
        var types = paramTypes.ToDictionary(p => p.Name, p => p.Type);
        if (options.Libxo is { Style: not LibxoStyle.Text } format)
        {
            context.Out.Write(Structured(format, jails, mode, explicitParams ? wanted : mode is 'n' or 's' or 'h' ? wanted : null, options.Has('N')));
            return 0;
        }
        if (explicitParams || mode is 'n' or 's' or 'h')
            return NameValue(context, jails, wanted, types, mode, options.Has('q') || mode == 's', explicitParams);
        if (mode == 'v')
            return Verbose(context, jails);
        context.Out.WriteLine(options.Has('N')
            ? " JID             IP Address      Hostname                      Path"
            : "   JID  IP Address      Hostname                      Path");
        foreach (var j in jails)
        {
            var id = options.Has('N') ? " " + DisplayWidth.PadRight(j["name"] ?? "", 15) : (j["jid"] ?? "").PadLeft(6);
            context.Out.WriteLine($"{id}  {DisplayWidth.PadRight(FirstAddress(j["ip4.addr"]), 15, cut: true)} {DisplayWidth.PadRight(j["host.hostname"] ?? "", 29, cut: true)} {Path(j)}");
        }
        return 0;
    }

    /// <summary>
    /// jls -v: FreeBSD's four header lines and, per jail, jid/hostname/path, name/state, the cpuset id and
    /// one line per address. Prison has no cpusets or addresses unless a module adds the parameters:
    /// the cpuset line then shows <c>-</c> and no address lines follow.
    /// </summary>
    private static int Verbose(CommandContext context, IReadOnlyList<JailParams> jails)
    {
        var o = context.Out;
        o.WriteLine("   JID  Hostname                      Path");
        o.WriteLine("        Name                          State");
        o.WriteLine("        CPUSetID");
        o.WriteLine("        IP Address(es)");
        foreach (var j in jails)
        {
            o.WriteLine($"{(j["jid"] ?? "").PadLeft(6)}  {DisplayWidth.PadRight(j["host.hostname"] ?? "", 29, cut: true)} {Path(j)}");
            o.WriteLine($"        {DisplayWidth.PadRight(j["name"] ?? "", 29, cut: true)} {State(j)}");
            o.WriteLine($"        {j["cpuset.id"] ?? "-"}");
            foreach (var address in Addresses(j["ip4.addr"]).Concat(Addresses(j["ip6.addr"])))
                o.WriteLine($"        {address}");
        }
        return 0;
    }

    /// <summary>jls -n, -s, -h and jls PARAM ...: values (quoted as jls quotes them), booleans as name/noname with -n.</summary>
    private static int NameValue(CommandContext context, IReadOnlyList<JailParams> jails, IReadOnlyList<string> wanted, Dictionary<string, string> types, char mode, bool quoted, bool explicitParams)
    {
        if (mode == 'h')
            context.Out.WriteLine(string.Join(' ', wanted));
        var pairs = mode is 'n' or 's';
        foreach (var jail in jails)
        {
            var fields = wanted.Where(n => mode != 's' || !IsReadOnly(context, n)).Select(n => pairs
                ? FormatPair(n, jail[n], types.GetValueOrDefault(n), quoted)
                : Value(jail[n] ?? "", quoted || explicitParams));
            context.Out.WriteLine(string.Join(' ', fields));
        }
        return 0;
    }

    private static bool IsReadOnly(CommandContext context, string name) => name is "jid" ? false :
        context.Syscalls.JailParam(context.Proc, name) is { ReadOnly: true };

    private static string Structured(LibxoFormat format, IReadOnlyList<JailParams> jails, char mode, IReadOnlyList<string>? parameters, bool byName)
    {
        var xo = new Libxo(format, XoVersion);
        xo.OpenContainer("jail-information").OpenList("jail");
        foreach (var j in jails)
        {
            xo.OpenInstance();
            if (parameters is not null)
            {
                // jailparam_export gives text: every value is a string, as FreeBSD's jls -n --libxo json prints it.
                foreach (var name in parameters)
                {
                    if (name is "ip4.addr" or "ip6.addr")
                        xo.LeafList(name, Addresses(j[name]));
                    else
                        xo.Leaf(name, j[name] ?? "");
                }
            }
            else if (mode == 'v')
            {
                xo.Leaf("jid", Int(j["jid"])).Leaf("hostname", j["host.hostname"] ?? "").Leaf("path", Path(j))
                    .Leaf("name", j["name"] ?? "").Leaf("state", State(j));
                if (j["cpuset.id"] is { } cpuset && long.TryParse(cpuset, CultureInfo.InvariantCulture, out var set))
                    xo.Leaf("cpusetid", set);
                xo.LeafList("ipv4_addrs", Addresses(j["ip4.addr"]));
                xo.LeafList("ipv6_addrs", Addresses(j["ip6.addr"]));
            }
            else
            {
                if (byName)
                    xo.Leaf("name", j["name"] ?? "");
                else
                    xo.Leaf("jid", Int(j["jid"]));
                xo.Leaf("ipv4", FirstAddress(j["ip4.addr"])).Leaf("hostname", j["host.hostname"] ?? "").Leaf("path", Path(j));
            }
            xo.Close();
        }
        return xo.Finish();
    }

    private static IReadOnlyList<string> Optional(HashSet<string> known, IEnumerable<string> names) =>
        names.Where(n => n is "jid" or "name" or "host.hostname" or "dying" || known.Contains(n)).ToArray();

    private static long Int(string? value) => long.TryParse(value, CultureInfo.InvariantCulture, out var n) ? n : 0;

    private static string State(JailParams j) => j["dying"] == "true" ? "DYING" : "ACTIVE";

    /// <summary>The jail's path; <c>/</c> where the kernel has no path parameter (Prison's jails have no file systems of their own).</summary>
    private static string Path(JailParams j) => j["path"] is { Length: > 0 } p ? p : "/";

    private static IEnumerable<string> Addresses(string? list) =>
        string.IsNullOrEmpty(list) ? [] : list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static string FirstAddress(string? list) => Addresses(list).FirstOrDefault() ?? "";

    /// <summary>One <c>name=value</c> as jls -n prints it: booleans as <c>name</c> / <c>noname</c>.</summary>
    private static string FormatPair(string name, string? value, string? type, bool quoted)
    {
        if (type == "bool")
        {
            if (value == "true")
                return name;
            var dot = name.LastIndexOf('.');
            return name[..(dot + 1)] + "no" + name[(dot + 1)..];
        }
        return $"{name}={Value(value ?? "", quoted: true)}";
    }

    /// <summary>jls.c's quoted_print: an empty value is <c>""</c>; with quoting, a value with blanks or quotes is quoted.</summary>
    private static string Value(string value, bool quoted)
    {
        if (value.Length == 0)
            return "\"\"";
        var needsQuotes = value.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'' or '\\' or '$' or '#');
        return needsQuotes && quoted ? $"\"{value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\"" : value;
    }
}
