using System.Globalization;
using Prison.Core.Ipc.Sysv;
using Prison.Core.Jails;
using Prison.Core.Modules;
using Prison.Core.Services;

namespace Prison.Core.Tests;

/// <summary>
/// jail_set and jail_remove are atomic with respect to one another (FreeBSD holds allprison_lock
/// exclusively across kern_jail_set): a parent's namespace change cannot interleave with a child's creation.
/// </summary>
public class JailSetSerializationTests
{
    /// <summary>A module with one SysV-style namespace parameter, <c>testns</c>, and no objects.</summary>
    private sealed class NamespaceModule : KernelModule
    {
        public override string Name => "testns";

        public override void Load(ModuleContext context) => SysvNamespaces.Register(context, "testns", "test namespace", _ => { });
    }

    [Fact]
    public void A_parent_giving_up_its_namespace_never_leaves_a_child_inheriting_it()
    {
        var seed = Environment.TickCount;
        var rng = new Random(seed);
        using var k = new Kernel();
        Assert.True(k.Modules.LoadInstance(new NamespaceModule()).Ok);
        // Another service whose create takes 5 ms: the window in which the child is being created.
        k.Services.Register(new JailServiceDefinition<object>
        {
            Name = "slow",
            Create = (_, _) =>
            {
                Thread.Sleep(5);
                return new object();
            },
        });
        for (var round = 0; round < 12; round++)
        {
            var parent = "p" + round.ToString(CultureInfo.InvariantCulture);
            k.Create(parent, ("children.max", "1"), ("testns", "new"));
            var delay = rng.Next(4);
            using var start = new Barrier(2);
            var child = new Thread(() =>
            {
                start.SignalAndWait();
                k.TryCreate(k.Init, ("name", parent + ".c"), ("persist", null), ("testns", "inherit"));
            });
            child.Start();
            start.SignalAndWait();
            Thread.Sleep(delay);
            var disabled = k.Syscalls.JailSet(k.Init, new JailParams { ["name"] = parent, ["testns"] = "disable" }, JailFlags.Update);
            child.Join();
            Assert.True(disabled.Ok, disabled.ToString());

            var parentMode = Mode(k, parent);
            Assert.Equal("disable", parentMode);
            if (k.Jails.FindVisible(k.Prison0, parent + ".c") is not null)
                Assert.True(Mode(k, parent + ".c") == "disable", $"seed {seed} round {round}: the parent is disable, the child {Mode(k, parent + ".c")}");
        }
    }

    [Fact]
    public async Task Jail_remove_waits_for_a_jail_set_in_progress()
    {
        using var k = new Kernel();
        var inCreate = new ManualResetEventSlim();
        var finish = new ManualResetEventSlim();
        k.Services.Register(new JailServiceDefinition<object>
        {
            Name = "gate",
            Create = (j, _) =>
            {
                if (j.Name == "p.c")
                {
                    inCreate.Set();
                    finish.Wait(TimeSpan.FromSeconds(30));
                }
                return new object();
            },
        });
        var p = k.Create("p", ("children.max", "1"));
        var creating = Task.Run(() => k.TryCreate(k.Init, ("name", "p.c"), ("persist", null)));
        Assert.True(inCreate.Wait(TimeSpan.FromSeconds(30)));
        var removing = Task.Run(() => k.Syscalls.JailRemove(k.Init, p.Id));
        // The removal cannot complete while the child's creation holds the jail_set lock.
        // (A bounded wait that can only make the test pass wrongly on a broken lock, never fail a correct one.)
        await Task.Delay(100);
        Assert.False(removing.IsCompleted);
        finish.Set();
        var created = await creating.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(created.Ok, created.ToString());
        Assert.Equal(Errno.OK, await removing.WaitAsync(TimeSpan.FromSeconds(30)));
        // The removal saw the child, so it went with its parent.
        Assert.Equal(JailState.Dead, p.State);
        Assert.Equal(0, k.Prison0.ChildrenCur);
    }

    private static string? Mode(Kernel k, string name)
    {
        var got = k.Syscalls.JailGet(k.Init, new JailParams { ["name"] = name, ["testns"] = null });
        Assert.True(got.Ok, got.ToString());
        return got.Value["testns"];
    }
}
