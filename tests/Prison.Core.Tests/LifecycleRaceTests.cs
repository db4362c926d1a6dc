using System.Globalization;
using Prison.Core.Jails;
using Prison.Core.Services;

namespace Prison.Core.Tests;

/// <summary>
/// The lifecycle races of issue 16: a reference taken on a jail being freed, a process attaching to a jail
/// whose last user reference is being dropped. Each test drives the exact interleaving.
/// </summary>
public class LifecycleRaceTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>A service whose destroy blocks for one jail until released, so a test can act inside Free.</summary>
    private sealed class BlockingDestroy(string victim)
    {
        public ManualResetEventSlim InDestroy { get; } = new();

        public ManualResetEventSlim Finish { get; } = new();

        public JailServiceDefinition<object> Definition() => new()
        {
            Name = "blocker",
            Create = (_, _) => new object(),
            Destroy = (jail, _) =>
            {
                if (jail.Name != victim)
                    return;
                InDestroy.Set();
                Finish.Wait(Patience);
            },
        };
    }

    /// <summary>
    /// jail -r of a jail "victim" whose service destroy blocks: returns once the jail has no reference left
    /// and its destroy runs, with what the tests compare against afterwards.
    /// </summary>
    private static (BlockingDestroy Blocker, Jail Victim, string Jid, int Prison0Refs, Task<Errno> Remover) FreezeInDestroy(Kernel k)
    {
        var blocker = new BlockingDestroy("victim");
        k.Services.Register(blocker.Definition());
        var prison0Refs = k.Prison0.References;
        var victim = k.Create("victim");
        var remover = Task.Run(() => k.Syscalls.JailRemove(k.Init, victim.Id));
        Assert.True(blocker.InDestroy.Wait(Patience), "destroy never ran");
        return (blocker, victim, victim.Id.ToString(CultureInfo.InvariantCulture), prison0Refs, remover);
    }

    [Fact]
    public async Task A_jail_being_freed_cannot_be_held_by_jail_get_with_a_descriptor()
    {
        using var k = new Kernel();
        var (blocker, victim, jid, prison0Refs, remover) = FreezeInDestroy(k);
        // The jail has no reference left and its destroy runs: FreeBSD's prison_find does not return it.
        var got = k.Syscalls.JailGet(k.Init, new JailParams { ["jid"] = jid, ["name"] = null, ["desc"] = "-1" }, JailFlags.Dying | JailFlags.GetDesc);
        var byLookup = k.Jails.Find(victim.Id);
        blocker.Finish.Set();
        Assert.Equal(Errno.OK, await remover.WaitAsync(Patience));
        if (got.Ok)
            k.Init.Files.Close(int.Parse(got.Value["desc"]!, CultureInfo.InvariantCulture)); // the second free, on old code

        Assert.Equal(Errno.ENOENT, got.Error);
        Assert.Null(byLookup);
        Assert.Equal(JailState.Dead, victim.State);
        Assert.Equal(0, victim.References);
        Assert.Equal(JailState.Alive, k.Prison0.State);
        Assert.Equal(0, k.Prison0.ChildrenCur);
        Assert.Equal(prison0Refs, k.Prison0.References);
    }

    [Fact]
    public async Task A_jail_being_freed_cannot_be_held_by_jail_set_with_a_descriptor()
    {
        using var k = new Kernel();
        var (blocker, victim, jid, prison0Refs, remover) = FreezeInDestroy(k);
        // Create|Update with a fresh name and the victim's jid: the jid names no jail that may be held.
        var set = Task.Run(() => k.Syscalls.JailSet(k.Init, new JailParams { ["jid"] = jid, ["desc"] = "-1" }, JailFlags.Update | JailFlags.Dying | JailFlags.GetDesc));
        await Task.Delay(50); // let jail_set reach the freeing jail (or wait for the remove to finish)
        blocker.Finish.Set();
        Assert.Equal(Errno.OK, await remover.WaitAsync(Patience));
        var r = await set.WaitAsync(Patience);

        Assert.Equal(Errno.ENOENT, r.Error);
        Assert.Equal(JailState.Dead, victim.State);
        Assert.Equal(0, k.Prison0.ChildrenCur);
        Assert.Equal(prison0Refs, k.Prison0.References);
    }

    [Fact]
    public void Hold_refuses_a_jail_without_references_and_TryHold_reports_it()
    {
        using var k = new Kernel();
        var j = k.Create("a");
        Assert.Equal(Errno.OK, k.Syscalls.JailRemove(k.Init, j.Id));
        Assert.Equal(JailState.Dead, j.State);
        Assert.False(j.TryHold(out var reference));
        Assert.Null(reference);
        Assert.False(j.TryAddReference());
        Assert.Throws<InvalidOperationException>(j.Hold);
        Assert.Throws<InvalidOperationException>(j.Release);
        Assert.Equal(0, k.Prison0.ChildrenCur);
        Assert.Equal(1, k.Prison0.References);
    }

    /// <summary>
    /// The last process of a jail without persist exits while another process attaches. Either the attach
    /// wins (the jail stays alive with the new process) or the exit does (the jail dies and the attach is
    /// refused); never a process inside a dying jail.
    /// </summary>
    [Fact]
    public void Attach_racing_the_last_exit_never_leaves_a_process_in_a_dying_jail()
    {
        var seed = Environment.TickCount;
        var rng = new Random(seed);
        using var k = new Kernel();
        var rounds = 300;
        for (var round = 0; round < rounds; round++)
        {
            var jail = k.Create("r" + round.ToString(CultureInfo.InvariantCulture));
            var last = k.RootIn(jail);
            var upd = k.Syscalls.JailSet(k.Init, new JailParams { ["name"] = jail.Name, ["nopersist"] = null }, JailFlags.Update);
            Assert.True(upd.Ok, upd.ToString());
            var joiner = k.Processes.Fork(k.Init).Value;
            var spin = rng.Next(200);
            using var start = new Barrier(2);
            SysResult<int> attached = default;
            var attach = new Thread(() =>
            {
                start.SignalAndWait();
                for (var i = 0; i < spin; i++)
                    Thread.SpinWait(1);
                attached = k.Syscalls.JailAttach(joiner, jail.Id);
            });
            attach.Start();
            start.SignalAndWait();
            k.Processes.Exit(last);
            attach.Join();

            if (attached.Ok)
            {
                Assert.True(ReferenceEquals(joiner.Jail, jail), $"seed {seed} round {round}: attached but not moved");
                Assert.True(jail.State == JailState.Alive, $"seed {seed} round {round}: a process attached to a {jail.State} jail");
                Assert.Equal(1, jail.UserReferences);
            }
            else
            {
                Assert.True(ReferenceEquals(joiner.Jail, k.Prison0), $"seed {seed} round {round}: refused but moved");
                Assert.True(jail.State == JailState.Dead, $"seed {seed} round {round}: the refused jail is {jail.State}");
            }
            k.Processes.Exit(joiner);
            Assert.True(jail.State == JailState.Dead, $"seed {seed} round {round}: the jail outlived its processes ({jail.State})");
        }
        Assert.Equal(0, k.Prison0.ChildrenCur);
        Assert.Equal(1, k.Prison0.References);
    }
}
