using System.Globalization;
using Prison.Core;
using Prison.Core.Ipc;
using Prison.Core.Jails;
using Prison.Core.Rctl;
using Prison.Plugins.SysvSem;
using static Prison.Core.Ipc.IpcConstants;

namespace Prison.SysvSem.Tests;

/// <summary>
/// Issue 16 item 2: <c>kldunload -f sysvsem</c> while semget runs in a <c>sysvsem=new</c> jail. The loader
/// closes the syscall gate and drains it before the module's unload check and its cleanup, so no set is
/// created after the cleanup: an unload either is refused (EBUSY, nothing changed) or leaves no set, no
/// racct charge and no jail held.
/// </summary>
public sealed class UnloadRaceTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(20251130)]
    public void A_forced_unload_racing_semget_leaves_no_set_behind(int seed)
    {
        var rng = new Random(seed);
        using var t = new SemTestKernel();
        var unloaded = 0;
        for (var cycle = 0; cycle < 40 && unloaded < 6; cycle++)
        {
            var where = $"seed {seed} cycle {cycle}";
            if (t.K.Modules.Find("sysvsem") is null)
                Assert.True(t.K.Modules.LoadInstance(new SysvSemModule()).Ok, where);
            var jail = t.Jail("j" + cycle.ToString(CultureInfo.InvariantCulture));
            var proc = t.RootIn(jail);
            using var stop = new CancellationTokenSource();
            var created = 0;
            var looper = new Thread(() =>
            {
                // Create and remove at once: the set count is mostly 0, so the unload check often passes
                // and the unload races the semget in flight.
                while (!stop.IsCancellationRequested)
                {
                    var id = t.K.Syscalls.SemGet(proc, IPC_PRIVATE, 1, 0x180);
                    if (!id.Ok)
                        continue;
                    created++;
                    t.K.Syscalls.SemCtl(proc, id.Value, 0, IPC_RMID);
                }
            });
            looper.Start();
            Thread.Sleep(rng.Next(3));
            var r = t.K.Modules.Unload(t.K.Init.Cred, "sysvsem", force: true);
            stop.Cancel();
            Assert.True(looper.Join(SemTestKernel.Bound), $"{where}: the semget loop never returned");
            Assert.True(r.Ok || r.Error == Errno.EBUSY, $"{where}: kldunload -f gave {r}");
            if (r.Ok)
            {
                unloaded++;
                // Nothing of the module may survive it: no set, so no nsem charge and no jail reference.
                Assert.True(t.K.Racct.Usage(jail, RacctResource.Nsem) == 0, $"{where}: {t.K.Racct.Usage(jail, RacctResource.Nsem)} semaphores still charged after the unload ({created} sets made)");
                Assert.Equal(0, t.K.Racct.Usage(t.K.Prison0, RacctResource.Nsem));
            }
            t.K.Processes.Exit(proc);
            t.RemoveJail(jail);
            Assert.True(jail.State == JailState.Dead, $"{where}: the jail stays {jail.State} with {jail.References} references");
            Assert.Equal(0, t.K.Racct.Usage(t.K.Prison0, RacctResource.Nsem));
        }
        Assert.True(unloaded > 0, $"seed {seed}: no forced unload succeeded in 40 cycles");
    }
}
