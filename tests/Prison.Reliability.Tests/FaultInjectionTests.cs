using Microsoft.Extensions.Logging;
using Prison.Core;
using Prison.Core.Jails;
using Prison.Core.Procs;

namespace Prison.Reliability.Tests;

/// <summary>
/// A service that throws from each callback and method, for the first, middle or last jail, registered
/// before or after two well-behaved services: the kernel stays consistent and says clearly who failed.
/// </summary>
public class FaultInjectionTests
{
    private static readonly string[] JailNames = ["f1", "f2", "f3"];

    public static TheoryData<FaultPoint, string, bool> Cases()
    {
        var data = new TheoryData<FaultPoint, string, bool>();
        foreach (var point in Enum.GetValues<FaultPoint>())
        {
            foreach (var jail in JailNames)
            {
                data.Add(point, jail, true);
                data.Add(point, jail, false);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_throwing_service_leaves_the_kernel_consistent(FaultPoint point, string target, bool faultyFirst)
    {
        using var logs = new CapturingLoggerProvider(LogLevel.Warning);
        using var factory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Warning).AddProvider(logs));
        using var k = new Kernel(new KernelOptions { LoggerFactory = factory });
        var before = new PairLedger("before");
        var after = new PairLedger("after");
        var module = new FaultyModule(point, target);

        if (!faultyFirst)
            k.Services.Register(before.Definition());
        if (point == FaultPoint.CreateAtRegistration)
        {
            // The jails exist before the faulty module loads: its registration create throws for one.
            foreach (var name in JailNames)
                CreateJail(k, name).AssertOk();
            var snapshot = k.Snapshot();
            var loaded = k.Modules.LoadInstance(module);
            Assert.Equal(Errno.EDOOFUS, loaded.Error);
            Assert.Contains(FaultyModule.ServiceName, loaded.Message, StringComparison.Ordinal);
            Assert.Contains("injected fault", loaded.Message, StringComparison.Ordinal);
            Assert.Equal(snapshot, k.Snapshot());
            Assert.Null(k.Jails.Parameters.Find(FaultyModule.Parameter));
            Assert.Null(k.Modules.Find(module.Name));
            Assert.Empty(module.Ledger.Undestroyed());
            if (faultyFirst)
                k.Services.Register(before.Definition());
            k.Services.Register(after.Definition());
            AssertConsistent(k, JailNames, before, after, module.Ledger);
            return;
        }

        Assert.True(k.Modules.LoadInstance(module).Ok);
        if (faultyFirst)
            k.Services.Register(before.Definition());
        k.Services.Register(after.Definition());

        var alive = new List<string>();
        foreach (var name in JailNames)
        {
            var snapshot = k.Snapshot();
            var created = CreateJail(k, name);
            if (name == target && point is FaultPoint.CreateAtJailCreation or FaultPoint.Check or FaultPoint.Set)
            {
                AssertReportedFailure(created.Error, created.Message);
                Assert.Equal(snapshot, k.Snapshot());
                AssertConsistent(k, alive, before, after, module.Ledger);
                continue;
            }
            created.AssertOk();
            alive.Add(name);
        }
        AssertConsistent(k, alive, before, after, module.Ledger);
        if (!alive.Contains(target))
            return;
        var jid = k.Jails.FindVisible(k.Prison0, target)!.Id;

        switch (point)
        {
            case FaultPoint.Get:
                {
                    var snapshot = k.Snapshot();
                    var got = k.Syscalls.JailGet(k.Init, new JailParams { ["name"] = target, [FaultyModule.Parameter] = null });
                    AssertReportedFailure(got.Error, got.Message);
                    Assert.Equal(snapshot, k.Snapshot());
                    break;
                }
            case FaultPoint.Attach:
                {
                    var proc = k.Processes.Spawn(Ucred.Root(k.Prison0), "jexec").Value;
                    var snapshot = k.Snapshot();
                    var attached = k.Syscalls.JailAttach(proc, jid);
                    AssertReportedFailure(attached.Error, attached.Message);
                    Assert.Same(k.Prison0, proc.Jail);
                    Assert.Equal(snapshot, k.Snapshot());
                    k.Processes.Exit(proc);
                    break;
                }
            case FaultPoint.Remove or FaultPoint.Destroy:
                {
                    // Teardown errors cannot be refused: the removal goes on, the failure is logged.
                    Assert.Equal(Errno.OK, k.Syscalls.JailRemove(k.Init, jid));
                    alive.Remove(target);
                    var logged = logs.Records.Where(r => r.Level >= LogLevel.Error).ToArray();
                    var record = Assert.Single(logged);
                    Assert.Contains(FaultyModule.ServiceName, record.Message, StringComparison.Ordinal);
                    Assert.Contains(point == FaultPoint.Remove ? "remove" : "destroy", record.Message, StringComparison.Ordinal);
                    Assert.Contains($"jail {jid}", record.Message, StringComparison.Ordinal);
                    // The other services' teardown still ran.
                    Assert.DoesNotContain(before.Undestroyed(), j => j.Id == jid);
                    Assert.DoesNotContain(after.Undestroyed(), j => j.Id == jid);
                    break;
                }
        }
        AssertConsistent(k, alive, before, after, module.Ledger);

        // Everything goes away cleanly, the faulty module included.
        foreach (var name in alive)
            Assert.Equal(Errno.OK, k.Syscalls.JailRemove(k.Init, k.Jails.FindVisible(k.Prison0, name)!.Id));
        Assert.True(k.Modules.Unload(k.Init.Cred, module.Name).Ok);
        AssertConsistent(k, [], before, after, module.Ledger);
        Assert.Empty(module.Ledger.Undestroyed());
    }

    private static SysResult<int> CreateJail(Kernel k, string name) =>
        k.Syscalls.JailSet(k.Init, new JailParams { ["name"] = name, ["persist"] = null }, JailFlags.Create);

    /// <summary>The plugin's failure comes back as EDOOFUS with the service's name and the exception's message.</summary>
    private static void AssertReportedFailure(Errno error, string? message)
    {
        Assert.Equal(Errno.EDOOFUS, error);
        Assert.NotNull(message);
        Assert.StartsWith(FaultyModule.ServiceName + ": ", message, StringComparison.Ordinal);
        Assert.Contains("injected fault", message, StringComparison.Ordinal);
    }

    /// <summary>
    /// The jail list is exactly <paramref name="alive"/>, children.cur matches it, the slot table is sane,
    /// and every service's pairs hold: every jail that is gone had its destroy for every create.
    /// </summary>
    private static void AssertConsistent(Kernel k, IReadOnlyCollection<string> alive, params PairLedger[] ledgers)
    {
        var listed = k.Jails.List(k.Prison0, includeDying: true);
        Assert.Equal(alive.Order(StringComparer.Ordinal), listed.Select(j => j.Name).Order(StringComparer.Ordinal));
        Assert.All(listed, j => Assert.Equal(JailState.Alive, j.State));
        Assert.Equal(listed.Count, k.Prison0.ChildrenCur);
        // Slots: distinct, and the table ends at the last one in use (it shrinks only when the last is freed).
        var registered = k.Services.Registered;
        Assert.Equal(registered.Count, registered.Select(s => s.Index).Distinct().Count());
        Assert.Equal(registered.Count == 0 ? 0 : registered.Max(s => s.Index) + 1, k.Services.SlotTableLength);
        foreach (var ledger in ledgers)
        {
            Assert.Empty(ledger.Violations);
            var undestroyed = ledger.Undestroyed().Where(j => !j.IsHost).ToArray();
            Assert.All(undestroyed, j => Assert.Contains(j.Name, alive));
        }
    }
}

internal static class SysResultAssertions
{
    public static void AssertOk<T>(this SysResult<T> r) => Assert.True(r.Ok, r.ToString());
}
