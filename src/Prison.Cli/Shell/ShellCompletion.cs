using Prison.Cli.Userland;
using Prison.Core.Jails;
using RadLine;

namespace Prison.Cli.Shell;

/// <summary>
/// Tab completion for the line editor: command names in command position (also after <c>jexec JAIL</c>
/// and <c>help</c>), jail names and jids after <c>jexec</c>, <c>-j</c> and <c>jail -r</c>, module names
/// after <c>kldload</c>/<c>kldunload</c>/<c>kldstat -n</c>, sysctl names after <c>sysctl</c>, and
/// <c>%N</c> after <c>fg</c>, <c>wait</c> and <c>kill</c>. Only what the shell's current process may
/// see is offered (a jail's shell completes its own descendants).
/// </summary>
internal sealed class ShellCompletion : ITextCompletion
{
    private readonly Shell _shell;

    public ShellCompletion(Shell shell) => _shell = shell;

    /// <inheritdoc />
    public IEnumerable<string>? GetCompletions(string prefix, string word, string suffix)
    {
        var before = prefix.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        var candidates = Candidates(before);
        var matches = candidates.Where(c => c.StartsWith(word, StringComparison.Ordinal)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        return matches.Length == 0 ? null : matches;
    }

    /// <summary>What may stand in the word after <paramref name="before"/>.</summary>
    internal IEnumerable<string> Candidates(IReadOnlyList<string> before)
    {
        if (before.Count == 0 || (before.Count == 1 && before[0] == "!"))
            return CommandNames();
        var command = before[0] == "!" ? before[1] : before[0];
        var last = before[^1];
        switch (command)
        {
            case "help":
                return CommandNames();
            case "jexec":
                return JexecPosition(before) switch
                {
                    0 => Jails(),
                    1 => CommandNames(),
                    _ => [],
                };
            case "jls" or "ipcs" when last == "-j":
                return Jails();
            case "jail" when before.Contains("-r"):
                return Jails();
            case "kldload" or "kldunload":
                return Modules();
            case "kldstat" when last == "-n":
                return Modules();
            case "sysctl":
                return SysctlNames();
            case "fg" or "wait" or "kill" or "jobs":
                return _shell.Jobs.Select(j => "%" + j.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            default:
                return [];
        }
    }

    /// <summary>After <c>jexec [-u user] </c>: 0 = the jail comes next, 1 = the command, 2 = the command's arguments.</summary>
    private static int JexecPosition(IReadOnlyList<string> before)
    {
        var operands = 0;
        for (var i = 1; i < before.Count; i++)
        {
            if (operands == 0 && before[i] is "-u" or "-U")
            {
                i++;
                continue;
            }
            operands++;
        }
        return Math.Min(operands, 2);
    }

    private IEnumerable<string> CommandNames() =>
        _shell.CommandNames.Concat(CommandUsage.All.Select(u => u.Name)).Where(n => n != ".");

    private IEnumerable<string> Jails()
    {
        // jail_get with lastjid, as jls walks: the names come back relative to the caller's jail.
        var names = new List<string>();
        var last = "0";
        while (_shell.Syscalls.JailGet(_shell.CurrentProcess, new JailParams { ["lastjid"] = last, ["jid"] = null, ["name"] = null }) is { Ok: true } got)
        {
            last = got.Value["jid"]!;
            names.Add(got.Value["name"]!);
            names.Add(last);
        }
        return names;
    }

    private IEnumerable<string> Modules()
    {
        var sys = _shell.Syscalls;
        var proc = _shell.CurrentProcess;
        var names = new List<string>();
        for (var next = sys.KldNext(proc, 0); next is { Ok: true, Value: not 0 }; next = sys.KldNext(proc, next.Value))
        {
            if (sys.KldStat(proc, next.Value) is { Ok: true } stat)
                names.Add(stat.Value.Name);
        }
        var path = sys.Sysctl(proc, "kern.module_path") is { Ok: true, Value: string p } ? p : "";
        foreach (var dir in path.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Directory.Exists(dir))
                continue;
            foreach (var sub in Directory.EnumerateDirectories(dir))
            {
                var name = Path.GetFileName(sub);
                if (File.Exists(Path.Combine(sub, name + ".dll")))
                    names.Add(name);
            }
        }
        return names.Where(n => n != "kernel");
    }

    private IEnumerable<string> SysctlNames() => _shell.Syscalls.SysctlList(_shell.CurrentProcess).Select(n => n.Name);
}
