using Prison.Core;
using Prison.Core.Ipc;
using Prison.Core.Jails;
using Prison.Core.Rctl;
using static Prison.Core.Ipc.IpcConstants;

namespace Prison.SysvShm.Tests.Rctl;

public sealed class ShmRctlTests
{
    private static void Rule(Kernel k, string rule) => Assert.True(k.Syscalls.RctlAddRule(k.Init, rule).Ok, rule);

    private static long Use(Kernel k, Jail j, RacctResource r) => k.Racct.Usage(j, r);

    [Fact]
    public void Nshm_denies_the_segment_past_the_limit_with_ENOSPC_and_creates_nothing()
    {
        using var k = ShmTestKernel.Boot();
        var pg = k.NewJail("pg", "new");
        var p = k.Spawn(pg);
        Rule(k, "jail:pg:nshm:deny=2");
        k.Create(p, IPC_PRIVATE);
        k.Create(p, IPC_PRIVATE);

        var third = k.Syscalls.ShmGet(p, 77, 4096, IPC_CREAT | 0x180);

        Assert.Equal(Errno.ENOSPC, third.Error);
        Assert.Equal(2, k.Segments(p).Count);
        Assert.Equal(2, Use(k, pg, RacctResource.Nshm));
        Assert.Equal(2 * 4096, Use(k, pg, RacctResource.ShmSize));
        Assert.Equal(Errno.ENOENT, k.Syscalls.ShmGet(p, 77, 0, 0).Error);
    }

    [Fact]
    public void Shmsize_charges_whole_pages_and_denies_with_ENOMEM_giving_back_nshm()
    {
        using var k = ShmTestKernel.Boot();
        var pg = k.NewJail("pg", "new");
        var p = k.Spawn(pg);
        Rule(k, "jail:pg:shmsize:deny=8192");
        k.Create(p, IPC_PRIVATE, size: 4097);
        Assert.Equal(8192, Use(k, pg, RacctResource.ShmSize));

        Assert.Equal(Errno.ENOMEM, k.Syscalls.ShmGet(p, IPC_PRIVATE, 1, IPC_CREAT | 0x180).Error);

        Assert.Equal(1, Use(k, pg, RacctResource.Nshm));
        Assert.Equal(8192, Use(k, pg, RacctResource.ShmSize));
        Assert.Single(k.Segments(p));
    }

    [Fact]
    public void Just_below_the_limit_succeeds()
    {
        using var k = ShmTestKernel.Boot();
        var pg = k.NewJail("pg", "new");
        var p = k.Spawn(pg);
        Rule(k, "jail:pg:shmsize:deny=12288");
        Rule(k, "jail:pg:nshm:deny=3");
        k.Create(p, IPC_PRIVATE, size: 4096);
        k.Create(p, IPC_PRIVATE, size: 4096);
        k.Create(p, IPC_PRIVATE, size: 4096);
        Assert.Equal(3, Use(k, pg, RacctResource.Nshm));
        Assert.Equal(12288, Use(k, pg, RacctResource.ShmSize));
    }

    [Fact]
    public void A_childs_segments_count_against_its_parents_limit()
    {
        using var k = ShmTestKernel.Boot();
        var pg = k.NewJail("pg", "new", ("children.max", "2"));
        var a = k.NewJail("pg.a", "new");
        var b = k.NewJail("pg.b", "new");
        Rule(k, "jail:pg:nshm:deny=2");
        k.Create(k.Spawn(a), IPC_PRIVATE);
        k.Create(k.Spawn(b), IPC_PRIVATE);

        Assert.Equal(Errno.ENOSPC, k.Syscalls.ShmGet(k.Spawn(pg), IPC_PRIVATE, 4096, IPC_CREAT | 0x180).Error);
        Assert.Equal(Errno.ENOSPC, k.Syscalls.ShmGet(k.Spawn(a), IPC_PRIVATE, 4096, IPC_CREAT | 0x180).Error);
        Assert.Equal(1, Use(k, a, RacctResource.Nshm));
        Assert.Equal(2, Use(k, pg, RacctResource.Nshm));
        // The host is not limited by a rule on pg.
        k.Create(k.Init, IPC_PRIVATE);
        Assert.Equal(3, Use(k, k.Prison0, RacctResource.Nshm));
    }

    [Fact]
    public void Removing_the_rule_lifts_the_limit()
    {
        using var k = ShmTestKernel.Boot();
        var pg = k.NewJail("pg", "new");
        var p = k.Spawn(pg);
        Rule(k, "jail:pg:nshm:deny=1");
        k.Create(p, IPC_PRIVATE);
        Assert.Equal(Errno.ENOSPC, k.Syscalls.ShmGet(p, IPC_PRIVATE, 4096, IPC_CREAT | 0x180).Error);

        Assert.True(k.Syscalls.RctlRemoveRule(k.Init, "jail:pg:nshm").Ok);

        k.Create(p, IPC_PRIVATE);
        Assert.Equal(2, Use(k, pg, RacctResource.Nshm));
    }

    [Fact]
    public void Usage_is_released_when_the_segment_is_freed_not_when_it_is_marked_removed()
    {
        using var k = ShmTestKernel.Boot();
        var pg = k.NewJail("pg", "new");
        var p = k.Spawn(pg);
        var id = k.Create(p, IPC_PRIVATE, size: 10000);
        var addr = k.Attach(p, id);

        Assert.Equal(Errno.OK, k.Rmid(p, id));
        Assert.Equal(1, Use(k, pg, RacctResource.Nshm));
        Assert.Equal(12288, Use(k, pg, RacctResource.ShmSize));

        Assert.Equal(Errno.OK, k.Syscalls.ShmDt(p, addr));
        Assert.Equal(0, Use(k, pg, RacctResource.Nshm));
        Assert.Equal(0, Use(k, pg, RacctResource.ShmSize));
        Assert.Equal(0, Use(k, k.Prison0, RacctResource.ShmSize));
    }

    [Fact]
    public void Jail_removal_and_forced_unload_give_everything_back()
    {
        using var k = ShmTestKernel.Boot();
        var pg = k.NewJail("pg", "new");
        var web = k.NewJail("web", "new");
        k.Create(k.Spawn(pg), IPC_PRIVATE);
        k.Create(k.Spawn(web), IPC_PRIVATE, size: 3 * 4096);
        Assert.Equal(2, Use(k, k.Prison0, RacctResource.Nshm));

        Assert.Equal(Errno.OK, k.Syscalls.JailRemove(k.Init, pg.Id));
        Assert.Equal(0, Use(k, pg, RacctResource.Nshm));
        Assert.Equal(1, Use(k, k.Prison0, RacctResource.Nshm));

        // kldunload -f does not skip shmunload's own refusal: nothing changes while a segment exists.
        Assert.Equal(Errno.EBUSY, k.Modules.Unload(k.Init.Cred, "sysvshm", force: true).Error);
        Assert.Equal(1, Use(k, k.Prison0, RacctResource.Nshm));
        Assert.Equal(Errno.OK, k.Syscalls.JailRemove(k.Init, web.Id));
        Assert.True(k.Modules.Unload(k.Init.Cred, "sysvshm", force: true).Ok);
        Assert.Equal(0, Use(k, web, RacctResource.Nshm));
        Assert.Equal(0, Use(k, k.Prison0, RacctResource.Nshm));
        Assert.Equal(0, Use(k, k.Prison0, RacctResource.ShmSize));
    }
}
