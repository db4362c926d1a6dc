using System.Text.RegularExpressions;

namespace Prison.Cli.Tests;

/// <summary>
/// Seeded, bounded races between a background receiver and what wakes it (a message, kill -INT, kill -9,
/// ipcrm), each fired at a random moment, before or after the receiver sleeps. Invariants: the job always
/// ends; it prints exactly the line its waker implies; a message is never lost (received once, or still
/// queued). The seed is printed on failure.
/// </summary>
public partial class JobStressTests
{
    [Fact]
    public void Every_waker_ends_the_job_with_its_own_result_and_no_message_is_lost()
    {
        const int seed = 20261130;
        var random = new Random(seed);
        using var s = new Session();
        s.Ok("kldload sysvmsg");
        s.Run("jail -c name=a persist sysvmsg=new");
        for (var round = 0; round < 40; round++)
        {
            var key = 100 + round;
            var reference = MsgRef().Match(s.Ok($"jexec a msgget {key} IPC_CREAT|0600")).Groups[1].Value;
            var started = s.Run($"jexec a msgrcv ${reference} 64 0 0 &");
            Assert.True(started.Status == 0, $"seed {seed}, round {round}: {started.Err}");
            Thread.Sleep(random.Next(0, 4));
            var waker = random.Next(4);
            var acted = waker switch
            {
                0 => s.Run($"jexec a msgsnd ${reference} 1 m{round} 0"),
                1 => s.Run("kill -INT %1"),
                2 => s.Run("kill -9 %1"),
                _ => s.Run($"jexec a ipcrm -Q {key}"),
            };
            var job = s.Shell.Jobs.Single();
            Assert.True(job.Wait(TimeSpan.FromSeconds(20)), $"seed {seed}, round {round}: waker {waker} left the job asleep");
            var waited = s.Run("wait");
            var output = acted.Out + waited.Out;
            var errors = acted.Err + waited.Err;
            switch (waker)
            {
                case 0:
                    Assert.True(output.Contains($"ok {1 + Num(round).Length} 1 m{round}\n", StringComparison.Ordinal) && errors.Length == 0,
                        $"seed {seed}, round {round}: the message was not received: {output}|{errors}");
                    break;
                case 1:
                    Assert.True(errors == "err EINTR\n", $"seed {seed}, round {round}: kill -INT gave {output}|{errors}");
                    break;
                case 2:
                    Assert.True(errors.Length == 0 && job.KilledBy == 9, $"seed {seed}, round {round}: kill -9 gave {output}|{errors}");
                    break;
                default:
                    // EIDRM wakes a receiver that was asleep; one whose msgrcv had not started yet (the job
                    // exists as soon as `&` returns) finds no queue under that id: EINVAL, as on FreeBSD.
                    Assert.True(errors is "err EIDRM\n" or "err EINVAL\n", $"seed {seed}, round {round}: ipcrm gave {output}|{errors}");
                    break;
            }
            if (waker != 3)
            {
                // The queue is empty again (the message, if any, went to the receiver) and still usable.
                Assert.Equal("err ENOMSG\n", s.Run($"jexec a msgrcv ${reference} 64 0 IPC_NOWAIT").Err);
                s.Ok($"jexec a ipcrm -Q {key}");
            }
        }
    }

    private static string Num(int n) => n.ToString(System.Globalization.CultureInfo.InvariantCulture);

    [GeneratedRegex(@"ok \$(\d+)")]
    private static partial Regex MsgRef();
}
