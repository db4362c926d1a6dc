using System.Runtime.CompilerServices;
using Prison.Core.Jails;
using Prison.Core.Modules;
using Prison.Core.Services;
using Prison.Core.Sysctl;

namespace Prison.Core.Tests;

/// <summary>The plugin-less service shown in README.md, kept compiling and true.</summary>
public class ReadmeExampleTests
{
    [Fact]
    public void Readme_service_example_runs_as_documented()
    {
        var console = new StringWriter();

        // --- README example begins ---
        using var kernel = new Kernel();
        var root = kernel.Init;                                   // pid 1, root on the host
        kernel.Jails.Syscalls.Set(root, new JailParams { ["name"] = "pg1", ["persist"] = null }, JailFlags.Create);
        kernel.Jails.Syscalls.Set(root, new JailParams { ["name"] = "pg2", ["persist"] = null }, JailFlags.Create);

        // create runs now for prison0, pg1 and pg2, and later for every new jail.
        var hits = kernel.Services.Register(new JailServiceDefinition<StrongBox<int>>
        {
            Name = "hits",
            Create = (jail, _) => new StrongBox<int>(0),
            Destroy = (jail, box) => console.WriteLine($"hits: {jail.Name} saw {box!.Value}"),
        });

        var jid = kernel.Jails.Syscalls.Set(root, new JailParams { ["name"] = "web", ["persist"] = null }, JailFlags.Create).Value;
        hits.Get(kernel.Jails.Find(jid)!)!.Value++;                // a lock-free slot read
        kernel.Jails.Syscalls.Remove(root, jid);                  // destroy runs: "hits: web saw 1"
        hits.Deregister();                                        // destroy runs for pg2, pg1 and prison0
        // --- README example ends ---

        Assert.Equal(["hits: web saw 1", "hits: pg2 saw 0", "hits: pg1 saw 0", "hits: 0 saw 0"],
            console.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Readme_plugin_example_loads_registers_and_unloads()
    {
        using var kernel = new Kernel();
        var before = kernel.Jails.Syscalls.Set(kernel.Init, new JailParams { ["name"] = "pg1", ["persist"] = null }, JailFlags.Create);
        Assert.True(before.Ok);
        Assert.True(kernel.Modules.LoadInstance(new HitsModule(), kernel.Init.Cred).Ok);
        Assert.Equal(0L, kernel.Sysctl.Read(kernel.Init.Cred, "debug.hits.host").Value);
        var withParam = kernel.Jails.Syscalls.Set(kernel.Init, new JailParams { ["name"] = "pg2", ["persist"] = null, ["hits.max"] = "3" }, JailFlags.Create);
        Assert.True(withParam.Ok, withParam.ToString());
        Assert.True(kernel.Modules.Unload(kernel.Init.Cred, "hits").Ok);
        Assert.Equal(Errno.ENOENT, kernel.Sysctl.Read(kernel.Init.Cred, "debug.hits.host").Error);
    }

    /// <summary>The module shown in README.md's "Writing a plugin".</summary>
    public sealed class HitsModule : KernelModule
    {
        public override string Name => "hits";

        public override void Load(ModuleContext context)
        {
            var slot = context.RegisterService(new JailServiceDefinition<StrongBox<int>>
            {
                Name = "hits",
                Create = (jail, _) => new StrongBox<int>(0),
                Parameters = [new JailParameter("hits.max", JailParamType.Int, "most hits allowed")],
            });
            context.RegisterSysctl(new SysctlInt("debug.hits.host", "hits of prison0",
                _ => slot.Get(context.Jails.Prison0)!.Value));
        }

        public override Errno QueryUnload(ModuleContext context) => Errno.OK; // EBUSY refuses
    }
}
