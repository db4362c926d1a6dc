using Prison.Core;
using Prison.Core.Zfs;
using Xunit.Abstractions;

namespace Prison.ZfsDataset.Tests;

/// <summary>Mounts racing destroys and renames: no mount may outlive its dataset or follow a rename.</summary>
public class ConcurrencyTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Mount_never_survives_destroy_or_rename(int seed)
    {
        output.WriteLine($"seed {seed}");
        using var t = new ZfsTestKernel();
        var pg = t.MountingJail("pg");
        t.Delegate("tank/pg1", pg);
        var root = t.RootIn(pg);
        var random = new Random(seed);
        for (var round = 0; round < 200; round++)
        {
            var name = $"tank/pg1/d{round}";
            ZfsTestKernel.Ok(t.K.Syscalls.ZfsCreate(root, name));
            var renameInstead = random.Next(2) == 0;
            var mounter = Task.Run(() => t.K.Syscalls.ZfsMount(root, name));
            var changer = Task.Run(() => renameInstead ? t.K.Syscalls.ZfsRename(root, name, name + "r") : t.K.Syscalls.ZfsDestroy(root, name));
            await Task.WhenAll(mounter, changer);
            var mounts = t.K.Vfs.Mounts.Select(m => m.Source).ToArray();
            foreach (var source in mounts)
                Assert.True(t.K.Syscalls.ZfsList(t.Host, source).Ok, $"seed {seed} round {round}: {source} is mounted but does not exist");
            if (renameInstead && (await changer).Ok)
                Assert.DoesNotContain(name, mounts);
            foreach (var m in t.K.Vfs.Mounts.ToArray())
                t.K.Vfs.ForceUnmount(m);
        }
    }
}
