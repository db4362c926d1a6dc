using Prison.Core.Jails;
using Prison.Core.Services;

namespace Prison.Core.Tests;

/// <summary>jail_set updating a jail: a service's set method that refuses leaves the core parameters as they were.</summary>
public class UpdateAtomicityTests
{
    private static JailServiceDefinition<object> Refuser() => new()
    {
        Name = "refuser",
        Create = (_, _) => new object(),
        Set = (in JailMethodArgs<object> a) => a.Params["refuser.level"] == "13" ? Errno.EINVAL : Errno.OK,
        Parameters = [new JailParameterDefinition("refuser.level", JailParamType.Int, "refused at 13")],
    };

    [Fact]
    public void A_refused_set_restores_the_core_parameters_and_persist()
    {
        using var k = new Kernel();
        k.Services.Register(Refuser());
        var j = k.Create("a", ("host.hostname", "before"), ("children.max", "1"));
        var p = k.RootIn(j); // a process, so dropping persist would not kill the jail
        var urefs = j.UserReferences;
        var r = k.Syscalls.JailSet(k.Init, new JailParams
        {
            ["name"] = "a",
            ["host.hostname"] = "after",
            ["children.max"] = "2",
            ["nopersist"] = null,
            ["allow.mount"] = "true",
            ["refuser.level"] = "13",
        }, JailFlags.Update);

        Assert.Equal(Errno.EINVAL, r.Error);
        Assert.Equal("before", j.HostName);
        Assert.Equal(1, j.ChildrenMax);
        Assert.True(j.Persist);
        Assert.False(j.IsAllowed("allow.mount"));
        Assert.Equal(urefs, j.UserReferences);
        k.Processes.Exit(p);
        Assert.Equal(JailState.Alive, j.State); // persist is still there

        Assert.True(k.Syscalls.JailSet(k.Init, new JailParams { ["name"] = "a", ["host.hostname"] = "after", ["refuser.level"] = "1" }, JailFlags.Update).Ok);
        Assert.Equal("after", j.HostName);
    }

    [Fact]
    public void A_refused_set_that_would_have_added_persist_gives_its_reference_back()
    {
        using var k = new Kernel();
        k.Services.Register(Refuser());
        var j = k.Create("a");
        var p = k.RootIn(j);
        k.Syscalls.JailSet(k.Init, new JailParams { ["name"] = "a", ["nopersist"] = null }, JailFlags.Update);
        Assert.Equal(1, j.UserReferences);
        var r = k.Syscalls.JailSet(k.Init, new JailParams { ["name"] = "a", ["persist"] = null, ["refuser.level"] = "13" }, JailFlags.Update);
        Assert.Equal(Errno.EINVAL, r.Error);
        Assert.False(j.Persist);
        Assert.Equal(1, j.UserReferences);
        k.Processes.Exit(p);
        Assert.Equal(JailState.Dead, j.State);
    }
}
