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
    public void Jail_without_persist_or_process_is_born_dying_and_freed()
    {
        using var k = new Kernel();
        var r = k.TryCreate(k.Init, ("name", "tmp"));
        Assert.True(r.Ok);
        Assert.Null(k.Jails.Find(r.Value));
        Assert.Equal(0, k.Prison0.ChildrenCur);
    }
}
