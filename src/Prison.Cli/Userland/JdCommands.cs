using System.Globalization;
using Prison.Cli.Shell;
using Prison.Core;
using Prison.Core.Descriptors;
using Prison.Core.Jails;
using Prison.Core.Procs;
using Prison.Core.Syscalls;

namespace Prison.Cli.Userland;

/// <summary>
/// <c>jd</c>: jail descriptors (FreeBSD 15's <c>jail_get</c>/<c>jail_set</c> with <c>desc</c>,
/// <c>jail_attach_jd</c>, <c>jail_remove_jd</c>) from the shell. A descriptor lives in a long-lived
/// process so it survives between commands: the shell's own process, or with <c>-u USER</c> a process
/// of the session running as USER (created on first use, with no descriptors of its own). Each command
/// runs in a process forked from that owner, so it holds copies of the owner's descriptors, and hands the
/// descriptors it obtains back to the owner (SCM_RIGHTS). <c>jd pass FD USER</c> hands one to USER's process.
/// </summary>
internal sealed class JdCommands : IDisposable
{
    private readonly Shell.Shell _shell;

    /// <summary>The processes running as a user of a jail that hold descriptors for <c>jd -u</c>.</summary>
    private readonly Dictionary<(Jail Jail, uint Uid), Proc> _holders = [];

    /// <summary>Event subscriptions, per owner process and descriptor number (a kqueue registration).</summary>
    private readonly Dictionary<(Proc Owner, int Fd), (long FileId, JailEventStream Stream)> _watches = [];

    public JdCommands(Shell.Shell shell) => _shell = shell;

    public int Run(CommandContext context)
    {
        var args = context.Args;
        var consumed = 0;
        var owner = _shell.CurrentProcess;
        Proc? ownWorker = null;
        if (args.Count >= 2 && args[0] == "-u")
        {
            var holder = HolderFor(context, args[1]);
            if (!holder.Ok)
                return context.Fail(holder.ErrorText);
            owner = holder.Value;
            consumed = 2;
        }
        if (args.Count <= consumed)
            return context.Usage();
        var worker = context.Proc;
        if (!ReferenceEquals(owner, _shell.CurrentProcess))
        {
            var forked = context.Syscalls.Fork(owner, "jd");
            if (!forked.Ok)
                return context.Fail($"fork: {forked.ErrorText}", 71);
            worker = ownWorker = forked.Value;
        }
        try
        {
            var call = new Call(context, owner, worker, args.Skip(consumed + 1).ToArray(), consumed + 2);
            return args[consumed] switch
            {
                "get" => Get(call),
                "create" => Create(call),
                "list" => List(call),
                "attach" => Attach(call),
                "remove" => Remove(call),
                "limit" => Limit(call),
                "close" => Close(call),
                "pass" => Pass(call),
                "watch" => Watch(call),
                _ => context.Usage(),
            };
        }
        finally
        {
            if (ownWorker is not null)
                context.Syscalls.Exit(ownWorker);
        }
    }

    /// <summary>Ends the session's descriptor holders (closing their descriptors) and every subscription.</summary>
    public void Dispose()
    {
        foreach (var (_, stream) in _watches.Values)
            stream.Dispose();
        _watches.Clear();
        foreach (var p in _holders.Values)
            _shell.Syscalls.Exit(p);
        _holders.Clear();
    }

    /// <summary>One jd invocation: who keeps the descriptors, who makes the calls, and the arguments.</summary>
    /// <param name="Context">The command.</param>
    /// <param name="Owner">The process that keeps descriptors between commands.</param>
    /// <param name="Worker">The process making the calls (a fork of the owner).</param>
    /// <param name="Args">The arguments after the subcommand.</param>
    /// <param name="FirstArgWord">The index in <see cref="CommandContext.Words"/> of the first of <paramref name="Args"/>.</param>
    private sealed record Call(CommandContext Context, Proc Owner, Proc Worker, IReadOnlyList<string> Args, int FirstArgWord)
    {
        public SyscallInterface Syscalls => Context.Syscalls;

        public int Usage() => Context.Usage();

        public int Fail(string message) => Context.Fail(message);

        /// <summary>Hands the worker's descriptor to the owner, closes the worker's copy, prints the owner's number.</summary>
        public int KeepAndPrint(int workerFd)
        {
            var kept = Syscalls.FdPass(Worker, workerFd, Owner);
            Syscalls.Close(Worker, workerFd);
            if (!kept.Ok)
                return Fail($"pass: {Strerror.Of(kept.Error)}");
            Context.Out.WriteLine(kept.Value.ToString(CultureInfo.InvariantCulture));
            return 0;
        }
    }

    private static int Get(Call call)
    {
        var owning = call.Args.Contains("-o");
        var operands = call.Args.Where(a => a != "-o").ToArray();
        if (operands.Length != 1 || operands[0].StartsWith('-'))
            return call.Usage();
        var jail = operands[0];
        var request = new JailParams { [IsJid(jail) ? "jid" : "name"] = jail, ["desc"] = null };
        var got = call.Syscalls.JailGet(call.Worker, request, owning ? JailFlags.OwnDesc : JailFlags.GetDesc);
        if (!got.Ok)
            return call.Fail(got.Error == Errno.ENOENT ? $"jail \"{CommandLineParser.Printable(jail)}\" not found" : CommandLineParser.Printable(got.ErrorText));
        return call.KeepAndPrint(int.Parse(got.Value["desc"]!, CultureInfo.InvariantCulture));
    }

    private static int Create(Call call)
    {
        if (call.Args.Count == 0)
            return call.Usage();
        var parameters = new JailParams();
        foreach (var operand in call.Args)
        {
            var eq = operand.IndexOf('=', StringComparison.Ordinal);
            var name = eq < 0 ? operand : operand[..eq];
            if (name.Length == 0 || name == "desc")
                return call.Fail($"invalid parameter: \"{CommandLineParser.Printable(operand)}\"");
            parameters[name] = eq < 0 ? null : operand[(eq + 1)..];
        }
        parameters["desc"] = null;
        var created = call.Syscalls.JailSet(call.Worker, parameters, JailFlags.Create | JailFlags.OwnDesc);
        if (!created.Ok)
            return call.Fail(CommandLineParser.Printable(created.Message ?? $"jail_set: {created.Error.Describe()}"));
        return call.KeepAndPrint(int.Parse(parameters["desc"]!, CultureInfo.InvariantCulture));
    }

    private static int List(Call call)
    {
        if (call.Args.Count != 0)
            return call.Usage();
        var output = call.Context.Out;
        output.WriteLine(" FD    JID NAME             STATE  RIGHTS             OWNING");
        foreach (var file in call.Syscalls.FileList(call.Owner))
        {
            if (file.JailDesc is not { } jd)
                continue;
            var state = jd.State switch
            {
                JailState.Alive => "ALIVE",
                JailState.Dying => "DYING",
                JailState.Dead => "DEAD",
                _ => "NEW",
            };
            output.WriteLine($"{file.Fd,3} {jd.Jid,6} {jd.Name,-16} {state,-6} {RightsText(jd.Rights),-18} {(jd.Owning ? "yes" : "no")}");
        }
        return 0;
    }

    private int Attach(Call call)
    {
        if (call.Args.Count == 0 || ParseFd(call.Args[0]) is not { } fd)
            return call.Usage();
        var attached = call.Syscalls.JailAttachJd(call.Worker, fd);
        if (!attached.Ok)
            return call.Fail($"jail_attach_jd({fd.ToString(CultureInfo.InvariantCulture)}): {Strerror.Of(attached.Error)}");
        var command = call.Context.Words.Skip(call.FirstArgWord + 1).ToArray();
        if (command.Length == 0)
        {
            // Like jexec without a command: a shell in the jail, the session's current process until exit.
            var shell = call.Syscalls.Fork(call.Worker, "sh");
            if (!shell.Ok)
                return call.Fail($"fork: {shell.ErrorText}");
            _shell.PushFrame(shell.Value);
            return 0;
        }
        return _shell.RunCommand(command, call.Context.Line, call.Worker);
    }

    private static int Remove(Call call)
    {
        if (call.Args.Count != 1 || ParseFd(call.Args[0]) is not { } fd)
            return call.Usage();
        var removed = call.Syscalls.JailRemoveJd(call.Worker, fd);
        return removed == Errno.OK ? 0 : call.Fail($"jail_remove_jd({fd.ToString(CultureInfo.InvariantCulture)}): {Strerror.Of(removed)}");
    }

    private static int Limit(Call call)
    {
        if (call.Args.Count != 2 || ParseFd(call.Args[0]) is not { } fd || ParseRights(call.Args[1]) is not { } rights)
            return call.Usage();
        var error = call.Syscalls.CapRightsLimit(call.Worker, fd, rights);
        return error == Errno.OK ? 0 : call.Fail($"cap_rights_limit({fd.ToString(CultureInfo.InvariantCulture)}): {Strerror.Of(error)}");
    }

    private int Close(Call call)
    {
        if (call.Args.Count != 1 || ParseFd(call.Args[0]) is not { } fd)
            return call.Usage();
        var file = FileId(call, call.Owner, fd);
        var error = call.Syscalls.Close(call.Owner, fd);
        if (error != Errno.OK)
            return call.Fail($"close({fd.ToString(CultureInfo.InvariantCulture)}): {Strerror.Of(error)}");
        // The command's own copy (inherited at fork) goes too, so a last close happens now, not at its exit.
        if (!ReferenceEquals(call.Worker, call.Owner) && file is not null && FileId(call, call.Worker, fd) == file)
            call.Syscalls.Close(call.Worker, fd);
        if (_watches.Remove((call.Owner, fd), out var watch))
            watch.Stream.Dispose();
        return 0;
    }

    private int Pass(Call call)
    {
        if (call.Args.Count != 2 || ParseFd(call.Args[0]) is not { } fd)
            return call.Usage();
        var holder = HolderFor(call.Context, call.Args[1]);
        if (!holder.Ok)
            return call.Fail(holder.ErrorText);
        var passed = call.Syscalls.FdPass(call.Owner, fd, holder.Value);
        if (!passed.Ok)
            return call.Fail($"pass({fd.ToString(CultureInfo.InvariantCulture)}): {Strerror.Of(passed.Error)}");
        call.Context.Out.WriteLine(passed.Value.ToString(CultureInfo.InvariantCulture));
        return 0;
    }

    private int Watch(Call call)
    {
        if (call.Args.Count != 1 || ParseFd(call.Args[0]) is not { } fd)
            return call.Usage();
        var key = (call.Owner, fd);
        var file = FileId(call, call.Owner, fd);
        if (!_watches.TryGetValue(key, out var watch) || watch.FileId != file)
        {
            var subscribed = call.Syscalls.JailDescWatch(call.Owner, fd);
            if (!subscribed.Ok)
                return call.Fail($"watch({fd.ToString(CultureInfo.InvariantCulture)}): {Strerror.Of(subscribed.Error)}");
            if (watch.Stream is not null)
                watch.Stream.Dispose();
            watch = (file!.Value, subscribed.Value);
            _watches[key] = watch;
        }
        while (watch.Stream.TryRead(out var e))
        {
            var what = e.Kind switch
            {
                JailEventKind.ChildCreated => $"child jid={e.Jid.ToString(CultureInfo.InvariantCulture)}",
                JailEventKind.Set => $"set jid={e.Jid.ToString(CultureInfo.InvariantCulture)}",
                JailEventKind.Attach => $"attach pid={e.Pid.ToString(CultureInfo.InvariantCulture)}",
                _ => $"remove jid={e.Jid.ToString(CultureInfo.InvariantCulture)}",
            };
            call.Context.Out.WriteLine(e.Multi ? what + " multi" : what);
        }
        return 0;
    }

    /// <summary>
    /// The session's process running as <paramref name="user"/> (looked up in the shell's jail), forked
    /// from the shell's process with its inherited descriptors closed (closefrom(3)), then setuid.
    /// </summary>
    private SysResult<Proc> HolderFor(CommandContext context, string user)
    {
        var shell = _shell.CurrentProcess;
        var entry = _shell.Users.FindUser(shell.Jail, user)
            ?? (uint.TryParse(user, NumberStyles.None, CultureInfo.InvariantCulture, out var uid) ? _shell.Users.FindUser(shell.Jail, uid) : null);
        if (entry is null)
            return SysResult<Proc>.Fail(Errno.ENOENT, $"getpwnam: {CommandLineParser.Printable(user)}: no such user");
        var key = (shell.Jail, entry.Uid);
        if (_holders.TryGetValue(key, out var existing) && !existing.HasExited)
            return SysResult<Proc>.Success(existing);
        var forked = context.Syscalls.Fork(shell, "jd");
        if (!forked.Ok)
            return SysResult<Proc>.Fail(forked.Error, $"fork: {forked.ErrorText}");
        var holder = forked.Value;
        CloseInherited(context.Syscalls, holder);
        var procs = context.Syscalls;
        var failed = procs.SetGroups(holder, [entry.Gid]);
        if (failed == Errno.OK)
            failed = procs.SetGid(holder, entry.Gid);
        if (failed == Errno.OK)
            failed = procs.SetUid(holder, entry.Uid);
        if (failed != Errno.OK)
        {
            procs.Exit(holder);
            return SysResult<Proc>.Fail(failed, $"setusercontext: {Strerror.Of(failed)}");
        }
        _holders[key] = holder;
        return SysResult<Proc>.Success(holder);
    }

    /// <summary>closefrom(3): a long-lived process keeps only the descriptors it is given.</summary>
    public static void CloseInherited(SyscallInterface syscalls, Proc proc) => syscalls.CloseFrom(proc, 3);

    /// <summary>Which open file <paramref name="fd"/> of <paramref name="proc"/> names (kern.proc.filedesc), or null when it is not open.</summary>
    private static long? FileId(Call call, Proc proc, int fd) =>
        call.Syscalls.FileList(proc).FirstOrDefault(f => f.Fd == fd)?.FileId;

    private static string RightsText(JailDescRights rights)
    {
        var names = new List<string>();
        if ((rights & JailDescRights.Attach) != 0)
            names.Add("attach");
        if ((rights & JailDescRights.Remove) != 0)
            names.Add("remove");
        if ((rights & JailDescRights.Set) != 0)
            names.Add("set");
        return names.Count == 0 ? "none" : string.Join(',', names);
    }

    private static JailDescRights? ParseRights(string text)
    {
        if (text == "none")
            return JailDescRights.None;
        var rights = JailDescRights.None;
        foreach (var name in text.Split(','))
        {
            JailDescRights? right = name switch
            {
                "attach" => JailDescRights.Attach,
                "remove" => JailDescRights.Remove,
                "set" => JailDescRights.Set,
                _ => null,
            };
            if (right is null)
                return null;
            rights |= right.Value;
        }
        return rights;
    }

    private static int? ParseFd(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var fd) ? fd : null;

    private static bool IsJid(string s) => s.Length > 0 && s.All(char.IsAsciiDigit);
}
