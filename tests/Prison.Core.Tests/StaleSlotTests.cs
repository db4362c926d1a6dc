using Prison.Core.Services;

namespace Prison.Core.Tests;

/// <summary>A service's slot handle after the service is deregistered and its slot index reused.</summary>
public class StaleSlotTests
{
    [Fact]
    public void A_stale_handle_never_sees_or_changes_the_value_of_the_service_that_reused_its_slot()
    {
        using var k = new Kernel();
        var jail = k.Create("a");
        var old = k.Services.Register(new JailServiceDefinition<string> { Name = "old", Create = (_, _) => "old value" });
        Assert.Equal("old value", old.Get(jail));
        old.Deregister();
        var fresh = k.Services.Register(new JailServiceDefinition<string> { Name = "fresh", Create = (_, _) => "fresh value" });
        Assert.Equal(old.Index, fresh.Index); // the index is reused

        Assert.Null(old.Get(jail));
        Assert.Null(old.Get(k.Prison0));
        Assert.Throws<InvalidOperationException>(() => old.Set(jail, "stale write"));
        Assert.Throws<InvalidOperationException>(() => old.Delete(jail));
        Assert.Equal("fresh value", fresh.Get(jail));
        Assert.Equal("fresh value", fresh.Get(k.Prison0));
    }

    [Fact]
    public void A_stale_handle_reads_null_right_after_deregistration()
    {
        using var k = new Kernel();
        var jail = k.Create("a");
        var slot = k.Services.Register(new JailServiceDefinition<object> { Name = "svc", Create = (_, _) => new object() });
        slot.Deregister();
        Assert.False(slot.IsRegistered);
        Assert.Null(slot.Get(jail));
        Assert.Throws<InvalidOperationException>(() => slot.Set(jail, new object()));
    }
}
