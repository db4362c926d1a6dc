using Prison.Core;
using Prison.Testing;

namespace SampleModule.Tests;

public class SampleModuleTests
{
    [Fact]
    public void Each_jail_counts_its_own_hits()
    {
        using var t = new PluginTestKernel("samplemodule");
        var web = t.Spawn(t.CreateJail("web"));
        var db = t.Spawn(t.CreateJail("db"));

        Assert.Equal(Errno.OK, t.SetSysctl(web, "samplemodule.hits", "1"));
        Assert.Equal(Errno.OK, t.SetSysctl(web, "samplemodule.hits", "1"));
        Assert.Equal(Errno.OK, t.SetSysctl(db, "samplemodule.hits", "1"));

        Assert.Equal(2L, t.Sysctl(web, "samplemodule.hits").Value);
        Assert.Equal(1L, t.Sysctl(db, "samplemodule.hits").Value);
        Assert.Equal(0L, t.Sysctl(t.Kernel.Init, "samplemodule.hits").Value);
        Snapshot.Verify(t.Kernel, "samplemodule");
    }

    [Fact]
    public void Bad_writes_change_nothing()
    {
        using var t = new PluginTestKernel("samplemodule");
        var jail = t.CreateJail("web");
        var root = t.Spawn(jail);
        var user = t.Spawn(jail, uid: 80);

        Assert.Equal(Errno.EINVAL, t.SetSysctl(root, "samplemodule.hits", "0"));
        Assert.Equal(Errno.EINVAL, t.SetSysctl(root, "samplemodule.hits", "many"));
        Assert.Equal(Errno.EPERM, t.SetSysctl(user, "samplemodule.hits", "1"));
        Assert.Equal(0L, t.Sysctl(root, "samplemodule.hits").Value);
    }

    [Fact]
    public void Unload_removes_the_sysctl()
    {
        using var t = new PluginTestKernel("samplemodule");
        var jailed = t.Spawn(t.CreateJail("web"));

        Assert.True(t.Unload().Ok);

        Assert.Equal(Errno.ENOENT, t.Sysctl(jailed, "samplemodule.hits").Error);
    }
}
