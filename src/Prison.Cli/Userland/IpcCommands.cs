using Prison.Cli.Shell;
using Prison.Core;
using Prison.Core.Jails;
using Prison.Core.Procs;
using Prison.Core.Syscalls;
using Prison.IpcScript;

namespace Prison.Cli.Userland;

/// <summary>
/// The IPC script operations as shell commands (<c>shmget 5432001 1048576 IPC_CREAT|0600</c>). They
/// run through one <see cref="IpcScriptSession"/> per shell session, so <c>$N</c> and <c>@N</c> belong to
/// the session; each (jail, user) gets one long-lived process, created on first use and ended with the
/// session, so attachments survive between commands as they would in a running program.
/// </summary>
/// <remarks>
/// In the shell a call that would sleep sleeps (<see cref="Shell.Shell.BlockingCalls"/>): until it can
/// proceed, until the object is removed (EIDRM), or until the job is signalled (EINTR: Ctrl-C, or
/// <c>kill</c>). A background job (<c>&amp;</c>) is a process of its own, forked from the (jail, user)
/// process, with a sibling script session: it shares the <c>$N</c> references but not the attachments.
/// </remarks>
internal sealed class IpcCommands : IDisposable
{
    private readonly Shell.Shell _shell;
    // Also the lock for the lazy creation of _backend and _session (background jobs run on their own threads).
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
    /// A <c>bad args</c> result is followed by the operation's usage line.
    /// </summary>
    public int Run(CommandContext context)
    {
        var proc = ProcessFor(context.Proc);
        if (proc is null)
            return context.Fail("cannot start the IPC process", 71);
        // The language has its own lexical rules (\s escapes, $N): hand it the raw text of the command.
        var raw = context.Line[context.Words[0].Start..];
        var job = Shell.Shell.CurrentJob;
        string? result;
        if (job is { Background: true })
            result = RunInOwnProcess(context, proc, job, raw);
        else
            result = RunShared(context, proc, job, raw);
        if (result is null)
            return 0;
        if (job is { KilledBy: not 0 })
            return 128 + job.KilledBy;
        var succeeded = result == "ok" || result.StartsWith("ok ", StringComparison.Ordinal) || result.StartsWith("skip ", StringComparison.Ordinal);
        (succeeded ? context.Out : context.Err).WriteLine(result);
        if (result == "bad args" && CommandUsage.Find(context.Name) is { } usage)
            context.Err.WriteLine("usage: " + usage.Synopsis);
        return succeeded ? 0 : 1;
    }

    /// <summary>Ends every IPC process of the session (their exit hooks detach segments).</summary>
    public void Dispose()
    {
        foreach (var p in _processes.Values)
            _shell.Syscalls.Exit(p);
        _processes.Clear();
    }

    private string? RunShared(CommandContext context, Proc proc, Job? job, string raw)
    {
        var session = EnsureSession(context.Syscalls, proc);
        _backend!.Proc = proc;
        _backend.Wait = _shell.BlockingCalls ? WaitPolicy.Block : WaitPolicy.ReportWouldSleep;
        return Call(job, proc, () => session.Execute(raw));
    }

    private string? RunInOwnProcess(CommandContext context, Proc parent, Job job, string raw)
    {
        var forked = context.Syscalls.Fork(parent, context.Name);
        if (!forked.Ok)
            return "err " + forked.Error.Name();
        var proc = forked.Value;
        JdCommands.CloseInherited(context.Syscalls, proc);
        try
        {
            // Killed before it could adopt the process: nothing runs in it (Run reports the kill).
            if (!job.Adopt(proc))
                return "err " + Errno.EINTR.Name();
            var backend = new PrisonBackend(context.Syscalls, proc)
            {
                Wait = _shell.BlockingCalls ? WaitPolicy.Block : WaitPolicy.ReportWouldSleep,
            };
            var session = EnsureSession(context.Syscalls, parent).Sibling(backend);
            return Call(job, proc, () => session.Execute(raw));
        }
        finally
        {
            context.Syscalls.Exit(proc);
        }
    }

    /// <summary>Makes the call as <paramref name="job"/>'s call, so its signals reach it; a pending signal gives EINTR at once.</summary>
    private static string? Call(Job? job, Proc proc, Func<string?> call)
    {
        if (job is null)
            return call();
        if (!job.BeginCall(proc))
            return "err " + Errno.EINTR.Name();
        try
        {
            return call();
        }
        finally
        {
            job.EndCall();
        }
    }

    /// <summary>The session's script session, made on first use (by the shell's thread or a job's).</summary>
    private IpcScriptSession EnsureSession(SyscallInterface syscalls, Proc proc)
    {
        lock (_processes)
        {
            _backend ??= new PrisonBackend(syscalls, proc);
            return _session ??= new IpcScriptSession(_backend);
        }
    }

    private Proc? ProcessFor(Proc caller)
    {
        var key = (caller.Jail, caller.Cred.Uid);
        lock (_processes)
        {
            if (_processes.TryGetValue(key, out var existing) && !existing.HasExited)
                return existing;
            var forked = _shell.Syscalls.Fork(caller, "ipc");
            if (!forked.Ok)
                return null;
            // A long-lived process must not keep the shell's jail descriptors open (an owning one would
            // otherwise outlive its `jd close`).
            JdCommands.CloseInherited(_shell.Syscalls, forked.Value);
            _processes[key] = forked.Value;
            return forked.Value;
        }
    }
}
