using Prison.Core;
using Prison.Core.Ipc;
using Prison.Core.Rctl;
using static Prison.Core.Ipc.IpcConstants;
using static Prison.SysvSem.Tests.SemTestKernel;

namespace Prison.SysvSem.Tests.Rctl;

public sealed class SemRctlTests
{
    private static void Rule(SemTestKernel t, string rule) => Assert.True(t.K.Syscalls.RctlAddRule(t.K.Init, rule).Ok, rule);

    [Fact]
    public void Nsem_counts_semaphores_and_denies_past_the_limit_with_ENOSPC()
    {
        using var t = new SemTestKernel();
        var pg = t.Jail("pg");
        var p = t.RootIn(pg);
        Rule(t, "jail:pg:nsem:deny=5");
        t.NewSet(p, nsems: 3);

        Assert.Equal(Errno.ENOSPC, t.K.Syscalls.SemGet(p, 42, 3, IPC_CREAT | 0x1b6).Error);
        Assert.Equal(3, t.K.Racct.Usage(pg, RacctResource.Nsem));
        Assert.Single(t.Sema(p));
        Assert.Equal(Errno.ENOENT, t.K.Syscalls.SemGet(p, 42, 0, 0).Error);

        t.NewSet(p, nsems: 2); // exactly at the limit
        Assert.Equal(5, t.K.Racct.Usage(pg, RacctResource.Nsem));
    }

    [Fact]
    public void A_childs_semaphores_count_against_its_parent_and_removal_gives_them_back()
    {
        using var t = new SemTestKernel();
        var pg = t.Jail("pg", childrenMax: 1);
        var child = t.Jail("pg.db");
        Rule(t, "jail:pg:nsem:deny=4");
        var id = t.NewSet(t.RootIn(child), nsems: 4);
        Assert.Equal(Errno.ENOSPC, t.K.Syscalls.SemGet(t.RootIn(pg), IPC_PRIVATE, 1, 0x1b6).Error);

        Assert.Equal(Errno.OK, t.CtlError(t.RootIn(child), id, 0, IPC_RMID));

        Assert.Equal(0, t.K.Racct.Usage(child, RacctResource.Nsem));
        Assert.Equal(0, t.K.Racct.Usage(pg, RacctResource.Nsem));
        t.NewSet(t.RootIn(pg), nsems: 4);
    }

    [Fact]
    public void Nsemop_limits_the_operations_of_one_call_with_E2BIG_before_anything_changes()
    {
        using var t = new SemTestKernel();
        var pg = t.Jail("pg");
        var p = t.RootIn(pg);
        var id = t.NewSet(p, nsems: 4);
        Rule(t, "jail:pg:nsemop:deny=3");

        Assert.Equal(Errno.E2BIG, t.Op(p, id, B(0, 1), B(1, 1), B(2, 1), B(3, 1)));
        Assert.Equal([0, 0, 0, 0], Enumerable.Range(0, 4).Select(n => t.Val(id, n)));

        Assert.Equal(Errno.OK, t.Op(p, id, B(0, 1), B(1, 1), B(2, 1)));
        Assert.Equal([1, 1, 1, 0], Enumerable.Range(0, 4).Select(n => t.Val(id, n)));
        Assert.Equal(0, t.K.Racct.Usage(pg, RacctResource.Nsemop));
        // The host is not limited by the jail's rule.
        Assert.Equal(Errno.OK, t.Op(t.Host, id, B(0, 1), B(1, 1), B(2, 1), B(3, 1)));

        Assert.True(t.K.Syscalls.RctlRemoveRule(t.K.Init, "jail:pg:nsemop").Ok);
        Assert.Equal(Errno.OK, t.Op(p, id, B(0, 1), B(1, 1), B(2, 1), B(3, 1)));
    }

    [Fact]
    public void Jail_removal_and_forced_unload_give_every_semaphore_back()
    {
        using var t = new SemTestKernel();
        var pg = t.Jail("pg");
        var web = t.Jail("web");
        t.NewSet(t.RootIn(pg), nsems: 2);
        t.NewSet(t.RootIn(web), nsems: 3);
        Assert.Equal(5, t.K.Racct.Usage(t.K.Prison0, RacctResource.Nsem));

        t.RemoveJail(pg);
        Assert.Equal(3, t.K.Racct.Usage(t.K.Prison0, RacctResource.Nsem));

        // kldunload -f does not skip semunload's own refusal (semtot != 0): nothing changes.
        Assert.Equal(Errno.EBUSY, t.K.Modules.Unload(t.K.Init.Cred, "sysvsem", force: true).Error);
        Assert.Equal(3, t.K.Racct.Usage(t.K.Prison0, RacctResource.Nsem));
        t.RemoveJail(web);
        Assert.True(t.K.Modules.Unload(t.K.Init.Cred, "sysvsem", force: true).Ok);
        Assert.Equal(0, t.K.Racct.Usage(web, RacctResource.Nsem));
        Assert.Equal(0, t.K.Racct.Usage(t.K.Prison0, RacctResource.Nsem));
    }
}
