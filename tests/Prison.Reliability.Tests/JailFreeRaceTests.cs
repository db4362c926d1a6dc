using Prison.Core;
using Prison.Core.Jails;
using Prison.Core.Procs;

namespace Prison.Reliability.Tests;

/// <summary>
/// Methods racing the free of their jail: jail_attach, jail_get and jail_set found the jail without a
/// reference, so the jail could be freed (and every destroy run) while a method still ran for it. The
/// KPI promises no callback after destroy; the ledger service checks it on every pair.
/// </summary>
public class JailFreeRaceTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void No_method_runs_for_a_jail_after_its_destroy(int seed)
    {
        using var k = new Kernel();
        var ledger = new PairLedger("ledger", methodDelay: TimeSpan.FromMilliseconds(1));
        k.Services.Register(ledger.Definition());
        var rng = new Random(seed);
        for (var round = 0; round < 150; round++)
        {
            var jid = k.Syscalls.JailSet(k.Init, new JailParams { ["name"] = "r" + round, ["persist"] = null }, JailFlags.Create).Value;
            var procs = Enumerable.Range(0, 3).Select(_ => k.Processes.Spawn(Ucred.Root(k.Prison0), "jexec").Value).ToArray();
            using var start = new Barrier(procs.Length + 1);
            var attachers = procs.Select(p => new Thread(() =>
            {
                start.SignalAndWait();
                var r = k.Syscalls.JailAttach(p, jid);
                Assert.True(r.Ok || r.Error == Errno.EINVAL, r.ToString());
                k.Syscalls.JailGet(k.Init, new JailParams { ["jid"] = jid.ToString(System.Globalization.CultureInfo.InvariantCulture) }, JailFlags.Dying);
                k.Processes.Exit(p);
            })).ToArray();
            foreach (var t in attachers)
                t.Start();
            start.SignalAndWait();
            if (rng.Next(2) == 0)
                Thread.Yield();
            Assert.True(k.Syscalls.JailRemove(k.Init, jid) is Errno.OK or Errno.EINVAL);
            foreach (var t in attachers)
                Assert.True(t.Join(TimeSpan.FromSeconds(30)), $"seed {seed}, round {round}: an attacher never returned");
        }
        Assert.True(ledger.Violations.Count == 0, $"seed {seed}: " + string.Join("\n", ledger.Violations));
        Assert.Empty(k.Jails.List(k.Prison0, includeDying: true));
        Assert.Equal(0, k.Prison0.ChildrenCur);
        Assert.DoesNotContain(ledger.Undestroyed(), j => !j.IsHost);
    }
}
