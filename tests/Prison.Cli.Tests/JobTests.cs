using System.Text.RegularExpressions;

namespace Prison.Cli.Tests;

/// <summary>Blocking calls, background jobs and signals in the shell (sh's &amp;, jobs, fg, wait, kill; Ctrl-C).</summary>
public partial class JobTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    /// <summary>A session with sysvmsg and sysvsem loaded, jail a with its own namespaces and a queue $0 in it.</summary>
    private static Session WithQueue()
    {
        var s = new Session();
        s.Ok("kldload sysvmsg");
        s.Ok("kldload sysvsem");
        s.Run("jail -c name=a persist sysvmsg=new sysvsem=new");
        Assert.Equal("ok $0\n", s.Ok("jexec a msgget 1 IPC_CREAT|0600"));
        return s;
    }

    /// <summary>Starts a background line; returns the job's pid from the <c>[1] PID</c> line.</summary>
    private static int Background(Session s, string line)
    {
        var (status, _, error) = s.Run(line);
        Assert.Equal(0, status);
        var match = JobLine().Match(error);
        Assert.True(match.Success, $"no [N] PID line: {error}");
        return int.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Waits until background job 1 sleeps in its call (so the test is about waking it, not about timing).</summary>
    private static void WaitUntilSleeping(Session s, int job = 1)
    {
        Assert.True(SpinWait.SpinUntil(() => s.Shell.Jobs.FirstOrDefault(j => j.Id == job)?.InCall == true, Patience), "the job never made its call");
        // InCall is set just before the kernel call: give it time to go to sleep; a signal that comes
        // earlier is delivered again until the call returns, so this wait is not needed for correctness.
        Thread.Sleep(20);
    }

    [Fact]
    public void A_background_receiver_gets_the_message_a_foreground_sender_sends()
    {
        using var s = WithQueue();
        Background(s, "jexec a msgrcv $0 64 0 0 &");
        WaitUntilSleeping(s);
        Assert.Contains("Running", s.Ok("jobs"), StringComparison.Ordinal);
        var sent = s.Run("jexec a msgsnd $0 1 hello 0");
        var (status, output, error) = s.Run("wait %1");
        // The job writes from its own thread, during the send (before or after its ok) or during the wait.
        var lines = (sent.Out + output).Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal);
        Assert.Equal((0, ""), (status, sent.Err + error));
        Assert.Equal(["ok", "ok 5 1 hello"], lines);
        Assert.Empty(s.Shell.Jobs);
    }

    [Fact]
    public void Kill_INT_wakes_a_blocked_receiver_with_EINTR_and_wait_returns_its_status()
    {
        using var s = WithQueue();
        Background(s, "jexec a msgrcv $0 64 0 0 &");
        WaitUntilSleeping(s);
        var killed = s.Run("kill -INT %1");
        Assert.Equal(0, killed.Status);
        var (status, output, error) = s.Run("wait");
        Assert.Equal((1, "", "err EINTR\n"), (status, killed.Out + output, killed.Err + error));
        // Nothing was lost: a message sent now stays on the queue.
        s.Ok("jexec a msgsnd $0 1 kept IPC_NOWAIT");
        Assert.Equal("ok 4 1 kept\n", s.Ok("jexec a msgrcv $0 64 0 IPC_NOWAIT"));
    }

    [Fact]
    public void Kill_by_pid_reaches_the_job_too()
    {
        using var s = WithQueue();
        var pid = Background(s, "jexec a msgrcv $0 64 0 0 &");
        WaitUntilSleeping(s);
        var killed = s.Run($"kill -s USR1 {pid}");
        Assert.Equal("err EINTR\n", killed.Err + s.Run("wait").Err);
    }

    [Fact]
    public void A_signal_sent_before_the_job_sleeps_is_not_lost()
    {
        using var s = WithQueue();
        Background(s, "jexec a msgrcv $0 64 0 0 &");
        // No wait for the sleep: the signal may land before the call reads its interrupt token.
        var killed = s.Run("kill %1");
        var waited = s.Run("wait");
        Assert.Equal((1, "err EINTR\n"), (waited.Status, killed.Err + waited.Err));
    }

    [Fact]
    public void Kill_KILL_sent_before_the_job_sleeps_still_ends_it()
    {
        // SIGKILL may land before the job has made the process its call runs in: that process must not
        // run the call (it would sleep with nobody to wake it). Repeated, since where it lands varies.
        using var s = WithQueue();
        for (var round = 0; round < 20; round++)
        {
            Background(s, "jexec a msgrcv $0 64 0 0 &");
            s.Ok("kill -9 %1");
            var job = s.Shell.Jobs.Single();
            Assert.True(job.Wait(Patience), $"round {round}: the killed job never ended");
            Assert.Equal((137, 9), (job.Status, job.KilledBy));
            Assert.Equal(137, s.Run("wait").Status);
        }
    }

    [Fact]
    public void A_killed_job_adopts_no_process_and_makes_no_call()
    {
        using var s = WithQueue();
        var proc = s.Shell.Syscalls.Fork(s.Shell.CurrentProcess, "victim").Value;
        var job = new Prison.Cli.Shell.Job("victim", background: true, (p, sig) => s.Shell.Syscalls.Kill(s.Shell.Kernel.Init, p.Pid, sig));
        job.Signal(9);
        Assert.False(job.Adopt(proc));
        Assert.Empty(job.Processes);
        Assert.False(job.BeginCall(proc));
        // SIGKILL is not consumed like a pending SIGINT: the next call is refused too.
        Assert.False(job.BeginCall(proc));
        s.Shell.Syscalls.Exit(proc);
    }

    [Fact]
    public void Ipcrm_from_the_host_wakes_the_receiver_with_EIDRM()
    {
        using var s = WithQueue();
        Background(s, "jexec a msgrcv $0 64 0 0 &");
        WaitUntilSleeping(s);
        var id = Regex.Match(s.Ok("ipcs -q"), @"^q\s+(\d+)", RegexOptions.Multiline).Groups[1].Value;
        var removed = s.Run($"ipcrm -q {id}");
        var waited = s.Run("wait");
        Assert.Equal((0, 1, "err EIDRM\n"), (removed.Status, waited.Status, removed.Err + waited.Err));
    }

    [Fact]
    public void Kill_KILL_ends_the_job_silently_and_jobs_shows_Killed()
    {
        using var s = WithQueue();
        Background(s, "jexec a msgrcv $0 64 0 0 &");
        WaitUntilSleeping(s);
        s.Ok("kill -9 %1");
        Assert.True(s.Shell.Jobs[0].Wait(Patience));
        Assert.Matches(@"^\[1\] \+\s+Killed\s+jexec a msgrcv \$0 64 0 0\n$", s.Ok("jobs"));
        Assert.Empty(s.Shell.Jobs);
    }

    [Fact]
    public async Task Fg_waits_for_the_job_and_ctrl_c_then_interrupts_it()
    {
        using var s = WithQueue();
        Background(s, "jexec a msgrcv $0 64 0 0 &");
        WaitUntilSleeping(s);
        var fg = Task.Run(() => s.Run("fg %1"));
        Assert.True(SpinWait.SpinUntil(() => s.Shell.Foreground?.Id == 1, Patience), "fg did not take the job");
        s.Shell.Interrupt();
        Assert.Equal((1, "jexec a msgrcv $0 64 0 0\n", "err EINTR\n"), await fg.WaitAsync(Patience));
    }

    [Fact]
    public async Task Ctrl_c_during_a_blocked_foreground_msgrcv_gives_EINTR_and_the_session_continues()
    {
        using var s = WithQueue();
        var blocked = Task.Run(() => s.Run("jexec a msgrcv $0 64 0 0"));
        Assert.True(SpinWait.SpinUntil(() => s.Shell.Foreground?.InCall == true, Patience), "the call never started");
        Assert.True(s.Shell.Interrupt());
        Assert.Equal((1, "", "err EINTR\n"), await blocked.WaitAsync(Patience));
        Assert.Equal("after\n", s.Ok("echo after"));
        Assert.Equal("ok $0\n", s.Ok("jexec a msgget 1 0"));
    }

    [Fact]
    public async Task Ctrl_c_during_a_blocked_semop_gives_EINTR()
    {
        using var s = WithQueue();
        Assert.Equal("ok $1\n", s.Ok("jexec a semget 2 1 IPC_CREAT|0600"));
        var blocked = Task.Run(() => s.Run("jexec a semop $1 0:-1:0"));
        Assert.True(SpinWait.SpinUntil(() => s.Shell.Foreground?.InCall == true, Patience));
        s.Shell.Interrupt();
        Assert.Equal((1, "err EINTR\n"), Pick(await blocked.WaitAsync(Patience)));
        Assert.Equal("ok 0\n", s.Ok("jexec a semctl $1 0 GETNCNT"));
    }

    [Fact]
    public void Ctrl_c_at_the_prompt_without_a_command_changes_nothing()
    {
        using var s = WithQueue();
        Assert.False(s.Shell.Interrupt());
        Assert.Equal("x\n", s.Ok("echo x"));
    }

    [Fact]
    public void Job_specs_that_do_not_exist_are_errors()
    {
        using var s = new Session();
        Assert.Equal("wait: %3: no such job\n", s.Fails("wait %3"));
        Assert.Equal("fg: No current job\n", s.Fails("fg"));
        Assert.Equal("kill: %1: no such job\n", s.Fails("kill %1"));
        Assert.Equal("kill: 99999: No such process\n", s.Fails("kill 99999"));
        Assert.StartsWith("kill: unknown signal BOGUS", s.Fails("kill -BOGUS %1"), StringComparison.Ordinal);
        Assert.Equal("HUP INT QUIT KILL ALRM TERM USR1 USR2\n", s.Ok("kill -l"));
        Assert.Equal("INT\n", s.Ok("kill -l 130"));
        Assert.Contains("cannot run in the background", s.Fails("wait &"), StringComparison.Ordinal);
    }

    [Fact]
    public void A_quoted_ampersand_is_an_ordinary_character()
    {
        using var s = new Session();
        Assert.Equal("a&\n", s.Ok("echo 'a&'"));
        Assert.Equal("b&\n", s.Ok("echo b\\&"));
        Assert.Empty(s.Shell.Jobs);
    }

    [Fact]
    public void A_job_glued_to_its_ampersand_runs_in_the_background()
    {
        using var s = new Session();
        var (status, output, error) = s.Run("echo hi&");
        Assert.Equal(0, status);
        Assert.Matches(@"^\[1\] \d+\n$", error);
        var waited = s.Run("wait");
        Assert.Equal(0, waited.Status);
        // The job writes from its own thread: before or after the first Run returned.
        Assert.Equal("hi\n", output + waited.Out);
    }

    [Fact]
    public void Removing_the_jail_ends_a_job_blocked_inside_it()
    {
        using var s = WithQueue();
        Background(s, "jexec a msgrcv $0 64 0 0 &");
        WaitUntilSleeping(s);
        s.Run("jail -r a");
        Assert.True(s.Shell.Jobs[0].Wait(Patience), "the job outlived its jail");
    }

    private static (int, string) Pick((int Status, string Out, string Err) r) => (r.Status, r.Err);

    [GeneratedRegex(@"^\[(\d+)\] (\d+)$", RegexOptions.Multiline)]
    private static partial Regex JobLine();
}
