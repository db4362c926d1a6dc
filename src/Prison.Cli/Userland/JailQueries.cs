using System.Globalization;
using Prison.Cli.Shell;
using Prison.Core;
using Prison.Core.Jails;

namespace Prison.Cli.Userland;

/// <summary>jail_get(2) the way libjail uses it: name a jail by jid or name, walk the list with lastjid.</summary>
internal static class JailQueries
{
    /// <summary>The jid of a jail named by jid or name, as the command's process sees it.</summary>
    public static SysResult<int> ResolveJid(CommandContext context, string jidOrName)
    {
        // The key last: for a jid it is the "jid" entry itself, which must keep its value.
        var request = new JailParams { ["jid"] = null };
        request[IsJid(jidOrName) ? "jid" : "name"] = jidOrName;
        var got = context.Syscalls.JailGet(context.Proc, request);
        if (!got.Ok)
            return SysResult<int>.Fail(got.Error, $"jail \"{CommandLineParser.Printable(jidOrName)}\" not found");
        return SysResult<int>.Success(int.Parse(got.Value["jid"]!, CultureInfo.InvariantCulture));
    }

    /// <summary>Reads <paramref name="names"/> of every jail the process can see, in jid order.</summary>
    public static IReadOnlyList<JailParams> List(CommandContext context, IReadOnlyList<string> names, bool dying)
    {
        var result = new List<JailParams>();
        var last = 0;
        while (true)
        {
            var request = new JailParams { ["lastjid"] = last.ToString(CultureInfo.InvariantCulture) };
            foreach (var n in names)
                request[n] = null;
            if (!request.Contains("jid"))
                request["jid"] = null;
            var got = context.Syscalls.JailGet(context.Proc, request, dying ? JailFlags.Dying : JailFlags.None);
            if (!got.Ok)
                return result;
            result.Add(got.Value);
            last = int.Parse(got.Value["jid"]!, CultureInfo.InvariantCulture);
        }
    }

    /// <summary>Reads <paramref name="names"/> of one jail.</summary>
    public static SysResult<JailParams> Get(CommandContext context, string jidOrName, IReadOnlyList<string> names, bool dying)
    {
        var request = new JailParams();
        foreach (var n in names)
            request[n] = null;
        // Set after the names: the key may be one of them (jls -j pg1 also asks for "name").
        request[IsJid(jidOrName) ? "jid" : "name"] = jidOrName;
        var got = context.Syscalls.JailGet(context.Proc, request, dying ? JailFlags.Dying : JailFlags.None);
        return got.Ok ? got : SysResult<JailParams>.Fail(got.Error, $"jail \"{CommandLineParser.Printable(jidOrName)}\" not found");
    }

    /// <summary>The parameter names the kernel knows, from <c>security.jail.param.*</c>, with their types.</summary>
    public static IReadOnlyList<(string Name, string Type)> Parameters(CommandContext context)
    {
        const string prefix = "security.jail.param.";
        var result = new List<(string, string)>();
        foreach (var node in context.Syscalls.SysctlList(context.Proc, "security.jail.param"))
        {
            var name = node.Name[prefix.Length..];
            if (name is "lastjid" or "errmsg")
                continue;
            var type = context.Syscalls.Sysctl(context.Proc, node.Name);
            result.Add((name, type.Ok ? type.Value.ToString() ?? "" : ""));
        }
        return result;
    }

    private static bool IsJid(string s) => s.Length > 0 && s.All(char.IsAsciiDigit);
}
