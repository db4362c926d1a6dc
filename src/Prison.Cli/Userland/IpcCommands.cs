using Prison.Cli.Shell;
using Prison.Core.Jails;
using Prison.Core.Procs;
using Prison.IpcScript;

namespace Prison.Cli.Userland;

/// <summary>
/// The IPC script operations as shell commands (<c>shmget 5432001 1048576 IPC_CREAT|0600</c>). They
/// run through one <see cref="IpcScriptSession"/> per shell session, so <c>$N</c> and <c>@N</c> belong to
/// the session; each (jail, user) gets one long-lived process, created on first use and ended with the
/// session, so attachments survive between commands as they would in a running program.
/// </summary>
internal sealed class IpcCommands : IDisposable
{
    private readonly Shell.Shell _shell;
    private readonly Dictionary<(Jail Jail, uint Uid), Proc> _processes = [];
    private PrisonBackend? _backend;
    private IpcScriptSession? _session;

    public IpcCommands(Shell.Shell shell) => _shell = shell;

    /// <summary>True when <paramref name="name"/> is an operation of the IPC script language.</summary>
    public static bool IsOperation(string name) => IpcScriptSession.IsOperation(name);

    /// <summary>
    /// Runs one operation and prints its result line: <c>ok</c> and <c>skip</c> results on standard output
    /// with status 0; <c>err</c>, <c>sig</c> and <c>bad</c> results on standard error with status 1, so a
    /// scenario stops at an unexpected failure (prefix the line with <c>!</c> when a failure is the point).
    /// </summary>
    public int Run(CommandContext context)
    {
        var proc = ProcessFor(context.Proc);
        if (proc is null)
            return context.Fail("cannot start the IPC process", 71);
        _backend ??= new PrisonBackend(context.Kernel, proc);
        _backend.Proc = proc;
        _session ??= new IpcScriptSession(_backend);
        // The language has its own lexical rules (\s escapes, $N): hand it the raw text of the command.
        var raw = context.Line[context.Words[0].Start..];
        var result = _session.Execute(raw);
        if (result is null)
            return 0;
        var succeeded = result == "ok" || result.StartsWith("ok ", StringComparison.Ordinal) || result.StartsWith("skip ", StringComparison.Ordinal);
        (succeeded ? context.Out : context.Err).WriteLine(result);
        return succeeded ? 0 : 1;
    }

    /// <summary>Ends every IPC process of the session (their exit hooks detach segments).</summary>
    public void Dispose()
    {
        foreach (var p in _processes.Values)
            _shell.Kernel.Processes.Exit(p);
        _processes.Clear();
    }

    private Proc? ProcessFor(Proc caller)
    {
        var key = (caller.Jail, caller.Cred.Uid);
        if (_processes.TryGetValue(key, out var existing) && !existing.HasExited)
            return existing;
        var forked = _shell.Kernel.Processes.Fork(caller, "ipc");
        if (!forked.Ok)
            return null;
        // A long-lived process must not keep the shell's jail descriptors open (an owning one would
        // otherwise outlive its `jd close`).
        JdCommands.CloseInherited(forked.Value);
        _processes[key] = forked.Value;
        return forked.Value;
    }
}
