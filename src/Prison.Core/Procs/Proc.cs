using Prison.Core.Jails;

namespace Prison.Core.Procs;

/// <summary>The life cycle of a process.</summary>
internal enum ProcState
{
    /// <summary>Running.</summary>
    Running,
    /// <summary>Exited (or killed); exit hooks have run.</summary>
    Exited,
}

/// <summary>
/// A process (FreeBSD's <c>struct proc</c>): pid, parent, credential, threads. Real .NET threads make
/// syscalls on behalf of a process; a blocked call wakes with <see cref="Errno.EINTR"/> when the
/// process is signalled or killed (see <see cref="InterruptToken"/>).
/// </summary>
public sealed class Proc
{
    private readonly Lock _lock = new();
    private CancellationTokenSource _interrupt = new();
    // The token of _interrupt, published with it so syscalls read it without the lock (a token is one
    // reference, read whole). Registering on the token of a source already cancelled and disposed runs
    // the callback at once, so a reader that got the old token still sees the signal.
    private CancellationToken _token;
    private volatile Ucred _cred;
    private int _threads = 1;

    internal Proc(int pid, Proc? parent, Ucred cred, string command)
    {
        Pid = pid;
        Parent = parent;
        _cred = cred;
        Command = command;
        _token = _interrupt.Token;
    }

    /// <summary>The descriptor table (0-2 are the terminal).</summary>
    internal Descriptors.FileTable Files { get; } = new();

    /// <summary>Process id.</summary>
    public int Pid { get; }

    /// <summary>The parent process, or null for a process started by the kernel.</summary>
    public Proc? Parent { get; }

    /// <summary>The command name shown by <c>ps</c>.</summary>
    public string Command { get; }

    /// <summary>The current credential.</summary>
    public Ucred Cred => _cred;

    /// <summary>The jail the process belongs to.</summary>
    public Jail Jail => _cred.Jail;

    /// <summary>The process state.</summary>
    internal ProcState State { get; private set; }

    /// <summary>Number of threads (jail_attach requires 1).</summary>
    public int ThreadCount => Volatile.Read(ref _threads);

    /// <summary>True when the process shares its address space with another (rfork RFMEM / vfork).</summary>
    public bool SharesAddressSpace { get; internal set; }

    /// <summary>
    /// Cancelled when the process is signalled or killed. Every blocking syscall reads it once, at syscall
    /// entry, and returns EINTR when it fires before or during the sleep: a signal that arrives after the
    /// call started is never lost, and one delivered before the call does not interrupt it. Lock-free.
    /// </summary>
    public CancellationToken InterruptToken => _token;

    /// <summary>True once the process has exited or been killed.</summary>
    public bool HasExited => State == ProcState.Exited;

    /// <summary>Models thread creation (the process is no longer single-threaded).</summary>
    internal void AddThread() => Interlocked.Increment(ref _threads);

    /// <summary>Models a thread exit.</summary>
    internal void RemoveThread()
    {
        if (Interlocked.Decrement(ref _threads) < 1)
        {
            Interlocked.Increment(ref _threads);
            throw new InvalidOperationException("a process keeps at least one thread");
        }
    }

    /// <summary>
    /// Delivers a signal: every call blocked right now returns EINTR. Kernel-internal (psignal): userland
    /// signals a process with kill(2), <see cref="Syscalls.SyscallInterface.Kill"/>.
    /// </summary>
    internal void Signal()
    {
        CancellationTokenSource old;
        lock (_lock)
        {
            old = _interrupt;
            if (State != ProcState.Exited)
            {
                _interrupt = new CancellationTokenSource();
                _token = _interrupt.Token;
            }
        }
        old.Cancel();
        if (State != ProcState.Exited)
            old.Dispose();
    }

    /// <summary>Replaces the credential (setuid, setgid, jail_attach).</summary>
    internal void SetCred(Ucred cred) => _cred = cred;

    internal void MarkExited()
    {
        CancellationTokenSource cts;
        lock (_lock)
        {
            State = ProcState.Exited;
            cts = _interrupt;
        }
        // The token stays cancelled forever: any later blocking attempt returns EINTR at once.
        cts.Cancel();
    }

    /// <inheritdoc />
    public override string ToString() => $"pid {Pid} ({Command}, jail {Jail.Id})";
}
