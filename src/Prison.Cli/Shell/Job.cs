using System.Diagnostics;
using Prison.Core.Procs;

namespace Prison.Cli.Shell;

/// <summary>
/// One command line the shell runs, in the foreground (on the shell's thread) or in the background
/// (<c>&amp;</c>, on a thread of its own), and the processes it made. Signals reach it through
/// <see cref="Signal"/>: Ctrl-C for the foreground job, <c>kill</c> for any.
/// </summary>
/// <remarks>
/// A signal posted while the job is not inside a system call stays pending, as on FreeBSD: the next
/// call the job starts returns EINTR at once (<see cref="BeginCall"/>). A signal posted while the job is
/// inside a call wakes it through <see cref="Proc.Signal"/>. The kernel reads the process's interrupt
/// token at syscall entry, so a signal that lands after <see cref="BeginCall"/> but before the call has
/// entered the kernel cancels a token the call never sees; a timer therefore delivers it again every
/// <see cref="RedeliveryPeriod"/> until the call has returned.
/// </remarks>
internal sealed class Job
{
    /// <summary>How often a pending signal is delivered again to a call that has not returned yet.</summary>
    private static readonly TimeSpan RedeliveryPeriod = TimeSpan.FromMilliseconds(10);

    // Protects _procs, _inCall, _pendingSignal, _redeliver, _killedBy and Status.
    private readonly Lock _lock = new();
    private readonly List<Proc> _procs = [];
    private readonly ManualResetEventSlim _done = new();
    private readonly ManualResetEventSlim _started = new();
    private readonly Action<Proc, int> _kill;
    private Proc? _inCall;
    private int _pendingSignal;
    private Timer? _redeliver;
    private int _killedBy;

    /// <param name="text">The command line, without the <c>&amp;</c>.</param>
    /// <param name="background">True for a job started with <c>&amp;</c>.</param>
    /// <param name="kill">
    /// kill(2) of one of the job's processes with a signal number: how a signal reaches the process in
    /// the kernel. The shell passes the syscall; userland never touches a process's signal state itself.
    /// </param>
    public Job(string text, bool background, Action<Proc, int> kill)
    {
        Text = text;
        Background = background;
        _kill = kill;
    }

    /// <summary>The job number (<c>%N</c>); 0 for a foreground job.</summary>
    public int Id { get; set; }

    /// <summary>The command line, without the <c>&amp;</c>.</summary>
    public string Text { get; }

    /// <summary>True for a job started with <c>&amp;</c>.</summary>
    public bool Background { get; }

    /// <summary>The exit status, once the job has finished.</summary>
    public int? Status { get; private set; }

    /// <summary>True once the job has finished.</summary>
    public bool IsDone => _done.IsSet;

    /// <summary>True once <c>jobs</c>, a prompt or <c>wait</c> reported the job's end.</summary>
    public bool Reported { get; set; }

    /// <summary>The first process the job made (its pid is the job's pid), or null when it made none.</summary>
    public Proc? Leader
    {
        get
        {
            lock (_lock)
                return _procs.Count > 0 ? _procs[0] : null;
        }
    }

    /// <summary>True while the job is inside a call that may sleep.</summary>
    public bool InCall
    {
        get
        {
            lock (_lock)
                return _inCall is not null;
        }
    }

    /// <summary>The signal that killed the job (SIGKILL), or 0.</summary>
    public int KilledBy
    {
        get
        {
            lock (_lock)
                return _killedBy;
        }
    }

    /// <summary>
    /// The job made <paramref name="proc"/>: a signal to the job reaches it too. False when the job was
    /// already killed (SIGKILL): the caller ends <paramref name="proc"/> at once instead of running in it,
    /// since the shell's SIGKILL ended only the processes the job had when it was sent.
    /// </summary>
    public bool Adopt(Proc proc)
    {
        bool alive;
        lock (_lock)
        {
            alive = _killedBy == 0;
            if (alive)
                _procs.Add(proc);
        }
        _started.Set();
        return alive;
    }

    /// <summary>True when <paramref name="pid"/> is one of the job's processes.</summary>
    public bool Owns(int pid)
    {
        lock (_lock)
            return _procs.Any(p => p.Pid == pid);
    }

    /// <summary>Waits until the job made its first process or finished (for the <c>[N] PID</c> line).</summary>
    public void WaitStarted() => WaitHandle.WaitAny([_started.WaitHandle, _done.WaitHandle]);

    /// <summary>
    /// The job's thread is about to make a call that may sleep, in <paramref name="proc"/>. Returns
    /// false, and consumes the signal, when a signal is pending: the call must return EINTR without
    /// being made. False also once the job was killed: SIGKILL is never consumed, and a killed job
    /// makes no further call (it would sleep with nobody left to wake it).
    /// </summary>
    public bool BeginCall(Proc proc)
    {
        lock (_lock)
        {
            if (_killedBy != 0)
                return false;
            if (_pendingSignal != 0)
            {
                _pendingSignal = 0;
                return false;
            }
            Debug.Assert(_inCall is null, "a job makes one call at a time");
            _inCall = proc;
            return true;
        }
    }

    /// <summary>The call <see cref="BeginCall"/> announced returned: a signal posted during it was delivered.</summary>
    public void EndCall()
    {
        lock (_lock)
        {
            _inCall = null;
            _pendingSignal = 0;
            StopRedelivery();
        }
    }

    /// <summary>
    /// Posts signal <paramref name="signal"/> to the job. SIGKILL ends its processes (their blocked
    /// calls return at once); any other wakes the call in progress with EINTR, or the next one.
    /// Signal 0 only checks that the job exists.
    /// </summary>
    public void Signal(int signal)
    {
        if (signal == 0)
            return;
        Proc? victim = null;
        lock (_lock)
        {
            if (IsDone)
                return;
            if (signal == Signals.SIGKILL)
            {
                _killedBy = signal;
                victim = _inCall;
            }
            else
            {
                _pendingSignal = signal;
                if (_inCall is { } target)
                {
                    _kill(target, signal);
                    _redeliver ??= new Timer(_ => Redeliver(), null, RedeliveryPeriod, RedeliveryPeriod);
                }
            }
        }
        // SIGKILL exits the process, which runs the modules' exit hooks: not under the job's lock.
        if (victim is not null)
            _kill(victim, Signals.SIGKILL);
    }

    /// <summary>The job's processes, for SIGKILL (the shell exits them from its own thread).</summary>
    public IReadOnlyList<Proc> Processes
    {
        get
        {
            lock (_lock)
                return _procs.ToArray();
        }
    }

    /// <summary>Records the exit status and wakes whoever waits.</summary>
    public void Finish(int status)
    {
        lock (_lock)
        {
            Status = _killedBy != 0 ? 128 + _killedBy : status;
            _inCall = null;
            _pendingSignal = 0;
            StopRedelivery();
        }
        _done.Set();
    }

    /// <summary>Waits for the end of the job; false when <paramref name="cancel"/> fired first.</summary>
    public bool Wait(CancellationToken cancel)
    {
        try
        {
            _done.Wait(cancel);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Waits for the end of the job up to <paramref name="timeout"/>.</summary>
    public bool Wait(TimeSpan timeout) => _done.Wait(timeout);

    private void Redeliver()
    {
        lock (_lock)
        {
            if (_pendingSignal == 0 || _inCall is null)
            {
                StopRedelivery();
                return;
            }
            _kill(_inCall, _pendingSignal);
        }
    }

    private void StopRedelivery()
    {
        Debug.Assert(_lock.IsHeldByCurrentThread, "the redelivery timer is guarded by the job's lock");
        _redeliver?.Dispose();
        _redeliver = null;
    }
}
