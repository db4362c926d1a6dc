namespace Prison.Cli.Tests;

/// <summary>
/// The policies the commands used to apply themselves now come from the kernel's syscalls: the commands
/// print what the kernel answers.
/// </summary>
public class KernelPolicyTests
{
    [Fact]
    public void A_jail_can_read_the_kernel_environment_but_not_unset_it()
    {
        using var s = new Session();
        s.Ok("kenv kern.ipc.shmmni=64");
        s.Ok("jail -c name=pg1 persist");

        Assert.Equal("kern.ipc.shmmni=\"64\"\n", s.Ok("jexec pg1 kenv"));
        Assert.Equal("64\n", s.Ok("jexec pg1 kenv kern.ipc.shmmni"));
        Assert.Equal("kenv: unable to unset kern.ipc.shmmni: Operation not permitted\n", s.Fails("jexec pg1 kenv -u kern.ipc.shmmni"));
        Assert.Equal("64\n", s.Ok("kenv kern.ipc.shmmni"));
        Assert.Equal("kenv: unable to unset nothing\n", s.Fails("kenv -u nothing"));
    }

    [Fact]
    public void Kldload_n_skips_a_loaded_module_and_kldunload_asks_the_kernel()
    {
        using var s = new Session();
        s.Kernel.Modules.LoadInstance(new FakeShmModule());
        s.Ok("jail -c name=pg1 persist");

        Assert.Equal("", s.Ok("kldload -n sysvshm"));
        Assert.Equal("kldunload: can't unload file: Operation not permitted\n", s.Fails("jexec pg1 kldunload sysvshm"));
        Assert.Equal("kldunload: can't find file nope\n", s.Fails("kldunload nope"));
        Assert.Contains(" sysvshm ", s.Ok("jexec pg1 kldstat"));
        Assert.Equal("Unloading sysvshm, id=2\n", s.Ok("kldunload -v sysvshm"));
    }

    [Fact]
    public void Kill_from_a_jail_cannot_reach_a_host_process()
    {
        using var s = new Session();
        s.Ok("jail -c name=pg1 persist");
        s.Ok("jexec pg1");
        Assert.Equal("kill: 1: No such process\n", s.Fails("kill 1"));
        s.Ok("exit");
        Assert.Equal("", s.Ok("kill -0 1"));
    }
}
