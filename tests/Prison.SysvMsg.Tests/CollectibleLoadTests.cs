using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;
using Prison.Core;
using Prison.Core.Ipc;
using Prison.Core.Jails;
using Prison.Core.Modules;
using Prison.Plugins.SysvMsg;

namespace Prison.SysvMsg.Tests;

/// <summary>
/// The plugin on a collectible load context of its own (as kldload puts it): after use and unload,
/// nothing the kernel keeps may reference it, so the context is collected.
/// </summary>
public class CollectibleLoadTests
{
    [Fact]
    public void Unloaded_plugin_leaves_no_reference_behind()
    {
        using var kernel = new Kernel();
        var context = LoadUseAndUnload(kernel);
        for (var i = 0; i < 20 && context.IsAlive; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        Assert.False(context.IsAlive, "the sysvmsg load context was not collected");
        Assert.Equal(Errno.ENOSYS, kernel.Syscalls.MsgGet(kernel.Init, 0, 0).Error);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference LoadUseAndUnload(Kernel kernel)
    {
        var alc = new PluginContext();
        var assembly = alc.LoadFromAssemblyPath(typeof(SysvMsgModule).Assembly.Location);
        var module = (KernelModule)Activator.CreateInstance(assembly.GetType(typeof(SysvMsgModule).FullName!)!)!;
        Assert.True(kernel.Modules.LoadInstance(module).Ok);

        var set = kernel.Syscalls.JailSet(kernel.Init, new JailParams { ["name"] = "j", ["persist"] = null, ["sysvmsg"] = "new" }, JailFlags.Create);
        Assert.True(set.Ok, set.ToString());
        var jailed = kernel.Processes.Spawn(Prison.Core.Procs.Ucred.Root(kernel.Jails.Find(set.Value)!), "cmd").Value;
        var id = kernel.Syscalls.MsgGet(jailed, 1, IpcConstants.IPC_CREAT | 0x180).Value;
        Assert.Equal(Errno.OK, kernel.Syscalls.MsgSnd(jailed, id, 1, "x"u8, 1, 0));
        // A sleeper woken by a message would leave its interrupt registration on the live process unless disposed.
        var sleeper = kernel.Processes.Spawn(Prison.Core.Procs.Ucred.Root(kernel.Prison0), "cmd").Value;
        var host = kernel.Syscalls.MsgGet(sleeper, 2, IpcConstants.IPC_CREAT | 0x180).Value;
        var thread = new Thread(() => kernel.Syscalls.MsgRcv(sleeper, host, new byte[8], 8, 0, 0, out _));
        thread.Start();
        // The plugin's types differ from the test's own copy, so its sleeper count is read by reflection.
        var queues = module.GetType().GetProperty("Facility", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(module)!;
        var sleepers = queues.GetType().GetMethod("Sleepers")!;
        Assert.True(SpinWait.SpinUntil(() => sleepers.Invoke(queues, [host]) is (0, 1), MsgFixture.Patience));
        Assert.Equal(Errno.OK, kernel.Syscalls.MsgSnd(kernel.Init, host, 1, "y"u8, 1, 0));
        Assert.True(thread.Join(MsgFixture.Patience));
        var ds = default(MsqidDs);
        Assert.True(kernel.Syscalls.MsgCtl(kernel.Init, host, IpcConstants.IPC_RMID, ref ds).Ok);
        Assert.Equal(Errno.OK, kernel.Syscalls.JailRemove(kernel.Init, set.Value));

        Assert.True(kernel.Modules.Unload(kernel.Init.Cred, "sysvmsg").Ok);
        alc.Unload();
        return new WeakReference(alc);
    }

    private sealed class PluginContext() : AssemblyLoadContext("sysvmsg-test", isCollectible: true)
    {
        // Everything but the plugin itself (Prison.Core, logging) comes from the host.
        protected override Assembly? Load(AssemblyName assemblyName) => null;
    }
}
