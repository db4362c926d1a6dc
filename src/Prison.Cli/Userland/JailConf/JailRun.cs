using System.Globalization;
using Prison.Cli.Shell;
using Prison.Core;
using Prison.Core.Jails;

namespace Prison.Cli.Userland.JailConf;

/// <summary>
/// The steps jail(8) takes for one jail (usr.sbin/jail/command.c's order): <c>exec.prestart</c> on the
/// host, jail_set, <c>exec.start</c> in the jail, <c>exec.poststart</c> on the host; and for removal
/// <c>exec.prestop</c> on the host, <c>exec.stop</c> in the jail, jail_remove, <c>exec.poststop</c>.
/// A hook that fails stops the operation with <c>jail: NAME: COMMAND: failed</c>.
/// </summary>
internal sealed class JailRun(CommandContext context, int verbose)
{
    /// <summary>The jail command's context.</summary>
    public CommandContext Context { get; } = context;

    /// <summary>True once the <c>allow.dying</c> / <c>-d</c> deprecation warning has been printed.</summary>
    public bool WarnedDying { get; set; }

    /// <summary>Creates, updates, or creates-or-updates one jail.</summary>
    public int Set(JailSpec spec, JailFlags flags)
    {
        WarnIfDeprecated(spec);
        var key = spec.Key;
        var exists = key is not null && (flags & JailFlags.Update) != 0 && JailQueries.ResolveJid(Context, key).Ok;
        if ((flags & JailFlags.Create) == 0 || exists)
        {
            // An update (or the modify path of -cm) runs no hooks and, from the command line, prints nothing.
            var update = spec.KernelParameters();
            if (KldloadParam.LoadFor(Context, update) is { } unknown)
                return Warn(spec, unknown);
            var updated = JailSet(spec, update, (flags & JailFlags.Update) != 0 ? JailFlags.Update : flags);
            if (!updated.Ok)
                return Warn(spec, SetError(updated));
            if (verbose > 0 || (verbose == 0 && spec.FromConfig))
                Note(spec, "updated");
            return 0;
        }
        return Create(spec, flags);
    }

    /// <summary>Removes one jail named by the spec (its name or jid), with the stop hooks.</summary>
    /// <param name="spec">The jail.</param>
    /// <param name="operandCount">How many jails the command names (jail(8)'s <c>note_remove</c>).</param>
    public int Remove(JailSpec spec, int operandCount)
    {
        if (spec.Key is not { } key)
            return Context.Usage("jail -r jail ...");
        var found = JailQueries.Get(Context, key, ["jid", "name"], dying: false);
        if (!found.Ok)
            return Warn(spec, found.ErrorText);
        // jail(8)'s note_remove: a jail from the config file, or several jails named at once.
        return Stop(spec, found.Value, announce: spec.FromConfig || operandCount > 1);
    }

    /// <summary>A running jail the config file does not define: removed without hooks.</summary>
    public int RemoveRunning(string target, SysResult<JailParams> found)
    {
        if (!found.Ok)
            return Context.Fail(found.ErrorText);
        var spec = new JailSpec([("name", [found.Value["name"]!])], fromConfig: false);
        return Stop(spec, found.Value, announce: true);
    }

    /// <summary>jail -rc: remove the jail if it runs, then create it.</summary>
    public int Restart(JailSpec spec)
    {
        WarnIfDeprecated(spec);
        if (spec.Key is { } key && JailQueries.Get(Context, key, ["jid", "name"], dying: false) is { Ok: true } found)
        {
            var stopped = Stop(spec, found.Value, announce: spec.FromConfig);
            if (stopped != 0)
                return stopped;
        }
        return Create(spec, JailFlags.Create);
    }

    private int Create(JailSpec spec, JailFlags flags)
    {
        var p = spec.KernelParameters();
        if (KldloadParam.LoadFor(Context, p) is { } unknown)
            return Warn(spec, unknown);
        // jail(8) creates every jail persistent and clears persist after the start commands when the
        // user did not ask for it: a jail without processes then goes away, as on FreeBSD.
        var temporaryPersist = !p.Contains("persist") && !p.Contains("nopersist");
        if (temporaryPersist)
            p["persist"] = null;
        var path = spec.First("path") ?? "/";
        if (!RunHooks(spec, "exec.prestart", jid: null, name: spec.Key ?? "", path, inJail: false))
            return 1;
        var created = JailSet(spec, p, flags);
        if (!created.Ok)
            return Warn(spec, SetError(created));
        var jid = created.Value;
        var name = JailQueries.Get(Context, SpecText(jid), ["name"], dying: false) is { Ok: true } got ? got.Value["name"]! : SpecText(jid);
        if (verbose > 0 || (verbose == 0 && spec.FromConfig))
            Note(spec, "created", name);
        var ok = RunHooks(spec, "exec.created", jid, name, path, inJail: false)
            && RunHooks(spec, "exec.start", jid, name, path, inJail: true)
            && RunHooks(spec, "command", jid, name, path, inJail: true)
            && RunHooks(spec, "exec.poststart", jid, name, path, inJail: false);
        if (!ok)
        {
            // A failed start command fails the jail: jail(8) takes it down again.
            Context.Syscalls.JailRemove(Context.Proc, jid);
            return 1;
        }
        if (temporaryPersist)
            JailSet(spec, new JailParams { ["jid"] = SpecText(jid), ["nopersist"] = null }, JailFlags.Update);
        return 0;
    }

    private int Stop(JailSpec spec, JailParams found, bool announce)
    {
        var jid = int.Parse(found["jid"]!, CultureInfo.InvariantCulture);
        var name = found["name"]!;
        var path = spec.First("path") ?? "/";
        if (!RunHooks(spec, "exec.prestop", jid, name, path, inJail: false)
            || !RunHooks(spec, "exec.stop", jid, name, path, inJail: true))
        {
            return 1;
        }
        var removed = Context.Syscalls.JailRemove(Context.Proc, jid);
        if (removed != Errno.OK)
            return Warn(spec, $"jail_remove: {removed.Describe()}");
        if (verbose > 0 || (verbose == 0 && announce))
            Context.Out.WriteLine($"{(spec.FromConfig ? spec.BlockName : name)}: removed");
        return RunHooks(spec, "exec.poststop", jid, name, path, inJail: false) ? 0 : 1;
    }

    private SysResult<int> JailSet(JailSpec spec, JailParams p, JailFlags flags) =>
        Context.Syscalls.JailSet(Context.Proc, p, flags);

    /// <summary>libjail's message: the kernel's errmsg, or <c>jail_set: strerror</c> when it set none.</summary>
    private static string SetError(SysResult<int> failed) =>
        CommandLineParser.Printable(failed.Message ?? $"jail_set: {failed.Error.Describe()}");

    /// <summary>
    /// Runs the commands of one hook parameter in order. <c>$JID</c>, <c>$JNAME</c> and <c>$JPATH</c> (or
    /// <c>${...}</c>) are replaced first: jail(8) puts them in the environment, and Prison's shell has
    /// no environment of its own. In-jail hooks run in a process attached to the jail.
    /// </summary>
    private bool RunHooks(JailSpec spec, string hook, int? jid, string name, string path, bool inJail)
    {
        if (spec.Get(hook) is not { } commands)
            return true;
        foreach (var raw in commands)
        {
            var line = raw
                .Replace("${JID}", jid is { } j ? SpecText(j) : "", StringComparison.Ordinal).Replace("$JID", jid is { } k ? SpecText(k) : "", StringComparison.Ordinal)
                .Replace("${JNAME}", name, StringComparison.Ordinal).Replace("$JNAME", name, StringComparison.Ordinal)
                .Replace("${JPATH}", path, StringComparison.Ordinal).Replace("$JPATH", path, StringComparison.Ordinal);
            var words = CommandLineParser.Split(line, out var syntax);
            if (words is null)
                return Warn(spec, $"{hook}: {syntax}") == 0;
            if (words.Count == 0)
                continue;
            if (verbose > 0)
                Note(spec, $"run command{(inJail ? " in jail" : "")}: {line}");
            var forked = Context.Syscalls.Fork(Context.Proc, words[0].Text);
            if (!forked.Ok)
                return Warn(spec, $"fork: {forked.ErrorText}") == 0;
            var proc = forked.Value;
            int status;
            try
            {
                if (inJail && jid is { } target)
                {
                    var attached = Context.Syscalls.JailAttach(proc, target);
                    if (!attached.Ok)
                        return Warn(spec, $"jail_attach: {attached.Error.Describe()}") == 0;
                }
                status = Context.Shell.RunCommand(words, line, proc);
            }
            finally
            {
                Context.Syscalls.Exit(proc);
            }
            if (status != 0)
            {
                Warn(spec, $"{CommandLineParser.Printable(line)}: failed");
                return false;
            }
        }
        return true;
    }

    private void WarnIfDeprecated(JailSpec spec)
    {
        if (WarnedDying || !spec.Parameters.Any(p => JailSpec.IsDeprecated(p.Name)))
            return;
        Context.Err.WriteLine($"jail: {JailCommand.DeprecationWarning}");
        WarnedDying = true;
    }

    /// <summary>jail(8)'s jail_note: <c>NAME: text</c> on standard output.</summary>
    private void Note(JailSpec spec, string text, string? fallback = null) =>
        Context.Out.WriteLine($"{spec.BlockName ?? spec.Key ?? fallback}: {text}");

    /// <summary>jail(8)'s jail_warnx: <c>jail: NAME: message</c> for a config jail, <c>jail: message</c> otherwise.</summary>
    private int Warn(JailSpec spec, string message) =>
        Context.Fail(spec.FromConfig ? $"{spec.BlockName}: {message}" : message);

    private static string SpecText(int v) => JailSpec.Text(v);
}
