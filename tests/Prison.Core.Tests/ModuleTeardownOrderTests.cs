using Prison.Core.Modules;
using Prison.Core.Procs;
using Prison.Core.Services;
using Prison.Core.Sysctl;

namespace Prison.Core.Tests;

/// <summary>
/// The loader's teardown order, whatever order the module registered in: gates closed and drained, entry
/// points removed and drained, state cleaned up, services deregistered; no module code after the unload.
/// </summary>
public class ModuleTeardownOrderTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>A syscall contract of the probe module.</summary>
    public interface IProbeSyscalls
    {
        /// <summary>Returns 1.</summary>
        int Ping();
    }

    private sealed class Probe : IProbeSyscalls
    {
        public int Ping() => 1;
    }

    /// <summary>
    /// Registers in the "wrong" order: its state cleanup first, its service last. The test hands it the
    /// kernel (a module gets none) so its cleanup can look at its own gate.
    /// </summary>
    private sealed class BackwardsModule(Kernel kernel, List<string> events, ManualResetEventSlim? hookEntered = null, ManualResetEventSlim? hookRelease = null) : KernelModule
    {
        public int Exits;

        public override string Name => "backwards";

        public override void Load(ModuleContext context)
        {
            context.Track("state", () =>
            {
                lock (events)
                    events.Add(kernel.Syscalls.Gate<IProbeSyscalls>().TryEnter(out var lease) ? "cleanup: gate open" : "cleanup: gate closed");
            });
            context.RegisterSyscalls<IProbeSyscalls>(new Probe());
            context.RegisterSysctl(new SysctlInt("debug.backwards.exits", "exits seen", _ => Volatile.Read(ref Exits)));
            context.OnProcessExit(p =>
            {
                if (p.Command == "block")
                {
                    hookEntered?.Set();
                    hookRelease?.Wait(Patience);
                }
                Interlocked.Increment(ref Exits);
            });
            context.RegisterService(new JailServiceDefinition<object>
            {
                Name = "backwards",
                Create = (_, _) => new object(),
                Destroy = (j, _) =>
                {
                    lock (events)
                        events.Add(j.IsHost ? "destroy prison0" : "destroy jail");
                },
            });
        }
    }

    [Fact]
    public void State_cleanup_runs_after_the_gates_closed_and_before_the_services_go()
    {
        using var k = new Kernel();
        var events = new List<string>();
        Assert.True(k.Modules.LoadInstance(new BackwardsModule(k, events)).Ok);
        k.Create("a");
        Assert.True(k.Modules.Unload(k.Init.Cred, "backwards", force: true).Ok);
        Assert.Equal(["cleanup: gate closed", "destroy jail", "destroy prison0"], events);
        Assert.False(k.Syscalls.Gate<IProbeSyscalls>().IsBound);
    }

    [Fact]
    public async Task Unload_waits_for_an_exit_hook_in_flight_and_no_hook_runs_after_it()
    {
        using var k = new Kernel();
        using var entered = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var module = new BackwardsModule(k, [], entered, release);
        Assert.True(k.Modules.LoadInstance(module).Ok);
        var blocker = k.Processes.Spawn(Ucred.Root(k.Prison0), "block").Value;
        var exiting = Task.Run(() => k.Processes.Exit(blocker));
        Assert.True(entered.Wait(Patience), "the exit hook never ran");

        var unloading = Task.Run(() => k.Modules.Unload(k.Init.Cred, "backwards"));
        // A bounded wait that can only let a broken drain pass, never fail a correct one.
        await Task.Delay(100);
        Assert.False(unloading.IsCompleted, "the unload finished while the module's exit hook was running");
        release.Set();
        await exiting.WaitAsync(Patience);
        Assert.True((await unloading.WaitAsync(Patience)).Ok);

        Assert.Equal(1, module.Exits);
        k.Processes.Exit(k.Processes.Spawn(Ucred.Root(k.Prison0), "sh").Value);
        Assert.Equal(1, module.Exits);
        Assert.Equal(Errno.ENOENT, k.Sysctl.Read(k.Init.Cred, "debug.backwards.exits").Error);
    }
}
