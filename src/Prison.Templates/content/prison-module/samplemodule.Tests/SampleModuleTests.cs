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

        Assert.Equal(1L, t.Sysctl(web, "samplemodule.hits").Value);
        Assert.Equal(2L, t.Sysctl(web, "samplemodule.hits").Value);
        Assert.Equal(1L, t.Sysctl(db, "samplemodule.hits").Value);
        Assert.Equal(Errno.EPERM, t.SetSysctl(web, "samplemodule.hits", "0"));

        Snapshot.Verify(t.Kernel, "samplemodule");
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
