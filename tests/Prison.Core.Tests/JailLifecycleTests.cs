using Prison.Core.Jails;

namespace Prison.Core.Tests;

public class JailLifecycleTests
{
    [Fact]
    public void Prison0_is_jid_0_and_first_jail_gets_jid_1()
    {
        using var k = new Kernel();
        Assert.Equal(0, k.Prison0.Id);
        var j = k.Create("pg1");
        Assert.Equal(1, j.Id);
        Assert.Equal("pg1", j.Name);
        Assert.Equal(JailState.Alive, j.State);
        Assert.Equal(1, k.Prison0.ChildrenCur);
    }

    [Fact]
    public void A_new_jail_must_persist_or_attach()
    {
        using var k = new Kernel();
        var r = k.TryCreate(k.Init, ("name", "tmp"));
        Assert.Equal(Errno.EINVAL, r.Error);
        Assert.Equal("new jail must persist or attach", r.Message);
        Assert.Equal(0, k.Prison0.ChildrenCur);
        // Even CREATE | UPDATE of an existing jail: the rule is checked before the jail is looked up.
        k.Create("tmp");
        var both = k.Syscalls.JailSet(k.Init, new JailParams { ["name"] = "tmp", ["host.hostname"] = "x" }, JailFlags.Create | JailFlags.Update);
        Assert.Equal(Errno.EINVAL, both.Error);
        Assert.Equal("new jail must persist or attach", both.Message);
    }
}
