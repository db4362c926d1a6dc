using System.Globalization;
using Prison.Cli.Userland;
using Prison.Core;
using Prison.Core.Procs;

namespace Prison.Cli.Shell;

/// <summary>Background jobs: <c>&amp;</c>, <c>jobs</c>, <c>fg</c>, <c>wait</c>, <c>kill</c>, as sh(1).</summary>
public sealed partial class Shell
{
    /// <summary>How long <see cref="Dispose"/> waits for a killed job's thread to end.</summary>
    private static readonly TimeSpan JobExitGrace = TimeSpan.FromSeconds(5);

    // The background jobs not yet reported done, in job-number order. Guarded by its own lock: jobs
    // finish on their own threads.
    private readonly List<Job> _jobs = [];

    /// <summary>The background jobs the shell still knows (running, or done and not yet reported).</summary>
    internal IReadOnlyList<Job> Jobs
    {
        get
        {
            lock (_jobs)
                return _jobs.ToArray();
        }
    }

    /// <summary>Starts <paramref name="words"/> on a thread of its own and prints <c>[N] PID</c>.</summary>
    private int StartBackground(IReadOnlyList<Word> words, string line)
    {
        var name = words[0].Text;
        if (IsBuiltin(name))
        {
            Err.WriteLine($"prison: {CommandLineParser.Printable(name)}: a shell builtin cannot run in the background");
            return 2;
        }
        if (!_commands.ContainsKey(name) && !IpcCommands.IsOperation(name))
        {
            // Said at once rather than by a job that could not start.
            Err.WriteLine($"prison: {CommandLineParser.Printable(name)}: not found");
            return 127;
        }
        var text = line.Trim();
        var job = new Job(text, background: true, KillForJob);
        lock (_jobs)
        {
            job.Id = _jobs.Count == 0 ? 1 : _jobs.Max(j => j.Id) + 1;
            _jobs.Add(job);
        }
        var thread = new Thread(() => RunAsJob(job, words, line, foreground: false))
        {
            IsBackground = true,
            Name = $"prison job %{job.Id.ToString(CultureInfo.InvariantCulture)}",
        };
        thread.Start();
        job.WaitStarted();
        var pid = job.Leader?.Pid ?? 0;
        Err.WriteLine($"[{job.Id.ToString(CultureInfo.InvariantCulture)}] {pid.ToString(CultureInfo.InvariantCulture)}");
        return 0;
    }

    /// <summary>Before a prompt: <c>[N] Done  command</c> for each job that ended since, then forgets it.</summary>
    private void ReportFinishedJobs()
    {
        foreach (var job in Jobs.Where(j => j.IsDone))
        {
            Err.WriteLine(JobLine(job, withPid: false));
            Forget(job);
        }
    }

    private void Forget(Job job)
    {
        lock (_jobs)
            _jobs.Remove(job);
    }

    /// <summary>A line of <c>jobs</c>: <c>[1] + Running  cmd</c>, <c>[1]   Done(1)  cmd</c>.</summary>
    private string JobLine(Job job, bool withPid)
    {
        var jobs = Jobs;
        var current = jobs.Count > 0 && jobs[^1] == job ? "+" : jobs.Count > 1 && jobs[^2] == job ? "-" : " ";
        string state;
        if (!job.IsDone)
            state = "Running";
        else if (job.KilledBy != 0)
            state = Signals.Describe(job.KilledBy);
        else
            state = job.Status == 0 ? "Done" : $"Done({job.Status!.Value.ToString(CultureInfo.InvariantCulture)})";
        var pid = withPid ? " " + (job.Leader?.Pid ?? 0).ToString(CultureInfo.InvariantCulture) : "";
        return $"[{job.Id.ToString(CultureInfo.InvariantCulture)}] {current}{pid} {state,-20} {job.Text}";
    }

    private int JobsBuiltin(IReadOnlyList<Word> words)
    {
        var args = words.Skip(1).Select(w => w.Text).ToList();
        var withPid = args.Remove("-l");
        var selected = new List<Job>();
        if (args.Count == 0)
        {
            selected.AddRange(Jobs);
        }
        else
        {
            foreach (var spec in args)
            {
                if (FindJob(spec, "jobs") is not { } job)
                    return 1;
                selected.Add(job);
            }
        }
        foreach (var job in selected)
        {
            Out.WriteLine(JobLine(job, withPid));
            if (job.IsDone)
                Forget(job);
        }
        return 0;
    }

    /// <summary><c>%N</c>, <c>%%</c>, <c>%+</c>, <c>%-</c>, or a job's pid; prints sh's error when there is none.</summary>
    private Job? FindJob(string spec, string command)
    {
        var jobs = Jobs;
        Job? found = null;
        if (spec is "%%" or "%+" or "%")
            found = jobs.Count > 0 ? jobs[^1] : null;
        else if (spec == "%-")
            found = jobs.Count > 1 ? jobs[^2] : null;
        else if (spec.StartsWith('%') && int.TryParse(spec.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            found = jobs.FirstOrDefault(j => j.Id == n);
        else if (spec.StartsWith('%'))
            found = jobs.FirstOrDefault(j => j.Text.StartsWith(spec[1..], StringComparison.Ordinal));
        else if (int.TryParse(spec, NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            found = jobs.FirstOrDefault(j => j.Owns(pid));
        if (found is null)
            Err.WriteLine($"{command}: {CommandLineParser.Printable(spec)}: no such job");
        return found;
    }

    private int Fg(IReadOnlyList<Word> words)
    {
        if (words.Count > 2)
        {
            Err.WriteLine("usage: fg [%job]");
            return 2;
        }
        var job = words.Count == 2 ? FindJob(words[1].Text, "fg") : (Jobs is { Count: > 0 } all ? all[^1] : null);
        if (job is null)
        {
            if (words.Count == 1)
                Err.WriteLine("fg: No current job");
            return 2;
        }
        Out.WriteLine(job.Text);
        var previous = _foreground;
        // Ctrl-C now goes to this job, as it would to the process group fg moved to the terminal.
        _foreground = job;
        try
        {
            job.Wait(CancellationToken.None);
        }
        finally
        {
            _foreground = previous;
        }
        Forget(job);
        return job.Status ?? 0;
    }

    private int WaitBuiltin(IReadOnlyList<Word> words)
    {
        var targets = new List<Job>();
        if (words.Count == 1)
        {
            targets.AddRange(Jobs);
        }
        else
        {
            foreach (var word in words.Skip(1))
            {
                if (FindJob(word.Text, "wait") is { } job)
                    targets.Add(job);
                else
                    return 127;
            }
        }
        var status = 0;
        var interrupts = Volatile.Read(ref _interrupts);
        foreach (var job in targets)
        {
            // sh's wait returns when a signal comes (128 + the signal); the job keeps running.
            while (!job.Wait(TimeSpan.FromMilliseconds(20)))
            {
                if (Volatile.Read(ref _interrupts) != interrupts)
                    return 128 + Signals.SIGINT;
            }
            status = job.Status ?? 0;
            Forget(job);
        }
        return status;
    }

    private int Kill(IReadOnlyList<Word> words)
    {
        var args = words.Skip(1).Select(w => w.Text).ToList();
        const string usage = "usage: kill [-s signal_name] pid ...\n       kill -l [exit_status]\n       kill -signal_name pid ...\n       kill -signal_number pid ...";
        if (args.Count == 0)
        {
            Err.WriteLine(usage);
            return 2;
        }
        if (args[0] == "-l")
        {
            if (args.Count == 2 && int.TryParse(args[1], NumberStyles.None, CultureInfo.InvariantCulture, out var exit))
            {
                Out.WriteLine(Signals.Name(exit > 128 ? exit - 128 : exit));
                return 0;
            }
            Out.WriteLine(string.Join(' ', Signals.Names));
            return 0;
        }
        var signal = Signals.SIGTERM;
        if (args[0] == "-s")
        {
            if (args.Count < 2 || Signals.Parse(args[1]) is not { } named)
            {
                Err.WriteLine(args.Count < 2 ? usage : $"kill: unknown signal {CommandLineParser.Printable(args[1])}; valid signals:\n{string.Join(' ', Signals.Names)}");
                return 2;
            }
            signal = named;
            args.RemoveRange(0, 2);
        }
        else if (args[0].StartsWith('-') && args[0] != "--")
        {
            if (Signals.Parse(args[0][1..]) is not { } named)
            {
                Err.WriteLine($"kill: unknown signal {CommandLineParser.Printable(args[0][1..])}; valid signals:\n{string.Join(' ', Signals.Names)}");
                return 2;
            }
            signal = named;
            args.RemoveAt(0);
        }
        if (args.Count > 0 && args[0] == "--")
            args.RemoveAt(0);
        if (args.Count == 0)
        {
            Err.WriteLine(usage);
            return 2;
        }
        var status = 0;
        foreach (var target in args)
        {
            if (!SignalTarget(target, signal))
                status = 1;
        }
        return status;
    }

    /// <summary>Delivers <paramref name="signal"/> to a job (<c>%N</c>) or to a process by pid, as kill(2) checks it.</summary>
    private bool SignalTarget(string target, int signal)
    {
        Job? job;
        if (target.StartsWith('%'))
        {
            job = FindJob(target, "kill");
            if (job is null)
                return false;
        }
        else
        {
            if (!int.TryParse(target, NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                Err.WriteLine($"kill: illegal process id: {CommandLineParser.Printable(target)}");
                return false;
            }
            job = Jobs.FirstOrDefault(j => j.Owns(pid) && !j.IsDone);
            if (job is null)
                return SignalProcess(pid, signal, target);
        }
        DeliverToJob(job, signal);
        return true;
    }

    /// <summary>
    /// How a job's signal reaches its process: kill(2), sent as the kernel sends the terminal's signals
    /// (Ctrl-C) and as sh's kill builtin signals the session's own jobs, so credentials never refuse it.
    /// ESRCH (the process has already exited) needs nothing more.
    /// </summary>
    private void KillForJob(Proc target, int signal) => _ = Syscalls.Kill(Kernel.Init, target.Pid, signal);

    private void DeliverToJob(Job job, int signal)
    {
        job.Signal(signal);
        if (signal != Signals.SIGKILL)
            return;
        // SIGKILL cannot be caught: the job's processes end, and their blocked calls with them.
        foreach (var proc in job.Processes)
            Syscalls.Exit(proc);
    }

    /// <summary>
    /// kill(2) on a process outside the shell's jobs: the kernel decides (ESRCH unless the caller's jail
    /// can see it, EPERM unless root or the same user). The shell's own processes catch every signal and
    /// go on, so for them the call only checks.
    /// </summary>
    private bool SignalProcess(int pid, int signal, string target)
    {
        var caller = CurrentProcess;
        var own = _frames.Any(p => p.Pid == pid);
        var error = Syscalls.Kill(caller, pid, own ? 0 : signal);
        if (error != Errno.OK)
        {
            Err.WriteLine($"kill: {CommandLineParser.Printable(target)}: {error.Describe()}");
            return false;
        }
        return true;
    }

    /// <summary>Ends every background job (SIGKILL) and waits briefly for their threads.</summary>
    private void KillAllJobs()
    {
        foreach (var job in Jobs)
        {
            DeliverToJob(job, Signals.SIGKILL);
            job.Wait(JobExitGrace);
        }
        lock (_jobs)
            _jobs.Clear();
    }
}
