using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Prison.Core.Jails;

namespace Prison.Core.Procs;

/// <summary>
/// The process table: spawn, fork, exit, kill, credential changes, and the process-exit hooks that
/// modules register (FreeBSD's <c>process_exit</c> event handler: shm detaches, sem undo).
/// </summary>
/// <remarks>Locking: the table is a concurrent dictionary; pids are handed out with an interlocked counter.
/// Exit hooks are a copy-on-write array, so exits never contend with registrations.</remarks>
internal sealed class ProcessTable
{
    private readonly ConcurrentDictionary<int, Proc> _procs = new();
    private readonly Kernel _kernel;
    private readonly ILogger _log;
    private Action<Proc>[] _exitHooks = [];
    private int _lastPid;

    internal ProcessTable(Kernel kernel)
    {
        _kernel = kernel;
        _log = kernel.LoggerFactory.CreateLogger("Prison.Proc");
    }

    /// <summary>Every live process, by pid.</summary>
    public IReadOnlyCollection<Proc> All => _procs.Values.OrderBy(p => p.Pid).ToArray();

    /// <summary>Finds a live process.</summary>
    public Proc? Find(int pid) => _procs.TryGetValue(pid, out var p) ? p : null;

    /// <summary>Starts a process with <paramref name="cred"/> (the kernel's own spawn, like init or a login).</summary>
    /// <returns>The process, or ENOENT when the credential's jail is not alive.</returns>
    public SysResult<Proc> Spawn(Ucred cred, string command, Proc? parent = null)
    {
        var jail = cred.Jail;
        Proc proc;
        lock (jail.Mutex)
        {
            if (!jail.IsAlive)
                return SysResult<Proc>.Fail(Errno.ENOENT, $"jail {jail.Id} is not alive");
            jail.AddUserReference();
            // Published under the jail mutex, as jail_attach moves a process: jail_remove marks the jail
            // dying under it and then kills the processes it can see, so a new process is either refused
            // here or killed by that walk.
            proc = new Proc(Interlocked.Increment(ref _lastPid), parent, cred, command);
            _procs[proc.Pid] = proc;
        }
        _log.LogDebug("spawn pid {Pid} {Command} uid {Uid} jail {Jid}", proc.Pid, command, cred.Uid, jail.Id);
        return SysResult<Proc>.Success(proc);
    }

    /// <summary>fork(2): a child with the parent's credential and a copy of its descriptor table.</summary>
    public SysResult<Proc> Fork(Proc parent, string? command = null)
    {
        ArgumentNullException.ThrowIfNull(parent);
        var child = Spawn(parent.Cred, command ?? parent.Command, parent);
        if (child.Ok)
            child.Value.Files.CopyFrom(parent.Files);
        return child;
    }

    /// <summary>
    /// exit(2): runs every module's exit hook (detach segments, apply SEM_UNDO), wakes blocked calls,
    /// then drops the process's user reference on its jail (a jail without persist dies with its last
    /// process). Exiting twice is a no-op.
    /// </summary>
    public void Exit(Proc proc)
    {
        if (!_procs.TryRemove(proc.Pid, out _))
            return;
        proc.MarkExited();
        foreach (var hook in Volatile.Read(ref _exitHooks))
        {
            try
            {
                hook(proc);
            }
            catch (Exception ex)
            {
                // One failing module must not keep the others from cleaning up after the process.
                _log.LogError(ex, "process exit hook failed for pid {Pid}", proc.Pid);
            }
        }
        _log.LogDebug("exit pid {Pid}", proc.Pid);
        // Closing descriptors may remove a jail (an owning descriptor): do it after the hooks ran.
        proc.Files.CloseAll();
        _kernel.Jails.DropUserReference(proc.Jail);
    }

    /// <summary>Kills every process of <paramref name="jail"/> and of its descendants.</summary>
    public void KillJail(Jail jail)
    {
        foreach (var p in _procs.Values.Where(p => jail.IsSelfOrAncestorOf(p.Jail)).ToArray())
            Exit(p);
    }

    /// <summary>
    /// Changes the effective uid, like seteuid(2): privilege is required unless the uid is unchanged or
    /// is the real uid.
    /// </summary>
    public Errno SetUid(Proc proc, uint uid)
    {
        if (proc.Cred.Uid != uid && proc.Cred.RealUid != uid && Priv.Check(proc.Cred, Privilege.CredSetUid) != Errno.OK)
            return Errno.EPERM;
        proc.SetCred(proc.Cred with { Uid = uid });
        return Errno.OK;
    }

    /// <summary>Changes the effective gid (privilege required unless the gid is unchanged).</summary>
    public Errno SetGid(Proc proc, uint gid)
    {
        if (proc.Cred.Gid != gid && Priv.Check(proc.Cred, Privilege.CredSetUid) != Errno.OK)
            return Errno.EPERM;
        proc.SetCred(proc.Cred with { Gid = gid });
        return Errno.OK;
    }

    /// <summary>Sets the supplementary groups (privileged).</summary>
    public Errno SetGroups(Proc proc, IReadOnlyList<uint> groups)
    {
        if (Priv.Check(proc.Cred, Privilege.CredSetUid) != Errno.OK)
            return Errno.EPERM;
        proc.SetCred(proc.Cred with { Groups = groups.ToArray() });
        return Errno.OK;
    }

    /// <summary>Registers a hook run at every process exit; dispose the result to remove it.</summary>
    public IDisposable AddExitHook(Action<Proc> hook)
    {
        ArgumentNullException.ThrowIfNull(hook);
        Update(hooks => [.. hooks, hook]);
        return new Unregister(() => Update(hooks => hooks.Where(h => !ReferenceEquals(h, hook)).ToArray()));
    }

    /// <summary>Moves <paramref name="proc"/> into <paramref name="jail"/> (the final step of jail_attach).</summary>
    /// <summary>
    /// Points the process's credential at <paramref name="jail"/> and returns the jail it left. Called
    /// under the new jail's mutex; the caller drops the old jail's user reference after unlocking, since
    /// that may free the old jail and take its locks.
    /// </summary>
    internal static Jail MoveToJailLocked(Proc proc, Jail jail)
    {
        Debug.Assert(jail.Mutex.IsHeldByCurrentThread, "MoveToJailLocked is called under the jail mutex");
        var old = proc.Jail;
        proc.SetCred(proc.Cred with { Jail = jail });
        return old;
    }

    private void Update(Func<Action<Proc>[], Action<Proc>[]> change)
    {
        while (true)
        {
            var current = Volatile.Read(ref _exitHooks);
            if (Interlocked.CompareExchange(ref _exitHooks, change(current), current) == current)
                return;
        }
    }

    private sealed class Unregister(Action action) : IDisposable
    {
        private Action? _action = action;

        public void Dispose() => Interlocked.Exchange(ref _action, null)?.Invoke();
    }
}
