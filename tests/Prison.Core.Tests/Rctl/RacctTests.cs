using Prison.Core.Jails;
using Prison.Core.Procs;
using Prison.Core.Rctl;

namespace Prison.Core.Tests.Rctl;

public sealed class RacctTests
{
    private static void AddRule(Kernel k, string rule)
    {
        var r = k.Syscalls.RctlAddRule(k.Init, rule);
        Assert.True(r.Ok, $"rctl -a {rule}: {r}");
    }

    [Fact]
    public void ChargeCountsAgainstTheJailAndEveryAncestor()
    {
        using var k = new Kernel();
        var pg = k.Create("pg", ("children.max", "1"));
        var child = k.CreateAs(k.RootIn(pg), "child");

        Assert.Equal(Errno.OK, k.Racct.Charge(child, RacctResource.Nsem, 3));

        Assert.Equal(3, k.Racct.Usage(child, RacctResource.Nsem));
        Assert.Equal(3, k.Racct.Usage(pg, RacctResource.Nsem));
        Assert.Equal(3, k.Racct.Usage(k.Prison0, RacctResource.Nsem));
        k.Racct.Release(child, RacctResource.Nsem, 3);
        Assert.Equal(0, k.Racct.Usage(pg, RacctResource.Nsem));
        Assert.Equal(0, k.Racct.Usage(k.Prison0, RacctResource.Nsem));
    }

    [Theory]
    [InlineData(RacctResource.Nshm, Errno.ENOSPC)]
    [InlineData(RacctResource.ShmSize, Errno.ENOMEM)]
    [InlineData(RacctResource.Nsem, Errno.ENOSPC)]
    [InlineData(RacctResource.Nmsgq, Errno.ENOSPC)]
    [InlineData(RacctResource.MsgqQueued, Errno.EAGAIN)]
    [InlineData(RacctResource.MsgqSize, Errno.EAGAIN)]
    public void DenyAtTheLimitWithTheResourcesErrnoAndChargesNothing(RacctResource resource, Errno expected)
    {
        using var k = new Kernel();
        var pg = k.Create("pg");
        AddRule(k, $"jail:pg:{resource.Name()}:deny=5");

        Assert.Equal(Errno.OK, k.Racct.Charge(pg, resource, 4));
        Assert.Equal(expected, k.Racct.Charge(pg, resource, 2));
        Assert.Equal(4, k.Racct.Usage(pg, resource));
        Assert.Equal(4, k.Racct.Usage(k.Prison0, resource));
        Assert.Equal(Errno.OK, k.Racct.Charge(pg, resource, 1));
        Assert.Equal(expected, k.Racct.Charge(pg, resource, 1));
        Assert.Equal(5, k.Racct.Usage(pg, resource));
    }

    [Fact]
    public void ChildUsageCountsAgainstItsParentsLimitAndADenyChargesNoLevel()
    {
        using var k = new Kernel();
        var pg = k.Create("pg", ("children.max", "2"));
        var a = k.CreateAs(k.RootIn(pg), "a");
        var b = k.CreateAs(k.RootIn(pg), "b");
        AddRule(k, "jail:pg:nshm:deny=2");

        Assert.Equal(Errno.OK, k.Racct.Charge(a, RacctResource.Nshm, 1));
        Assert.Equal(Errno.OK, k.Racct.Charge(b, RacctResource.Nshm, 1));
        Assert.Equal(Errno.ENOSPC, k.Racct.Charge(a, RacctResource.Nshm, 1));

        Assert.Equal(1, k.Racct.Usage(a, RacctResource.Nshm));
        Assert.Equal(2, k.Racct.Usage(pg, RacctResource.Nshm));
        Assert.Equal(2, k.Racct.Usage(k.Prison0, RacctResource.Nshm));
    }

    [Fact]
    public void RemovingARuleLiftsItAndAddingOneReplacesTheOldAmount()
    {
        using var k = new Kernel();
        var pg = k.Create("pg");
        AddRule(k, "jail:pg:nmsgq:deny=1");
        AddRule(k, "jail:pg:nmsgq:deny=2");
        Assert.Equal(["jail:pg:nmsgq:deny=2"], k.Racct.Rules.Select(r => r.ToString()));
        Assert.Equal(Errno.OK, k.Racct.Charge(pg, RacctResource.Nmsgq, 2));
        Assert.Equal(Errno.ENOSPC, k.Racct.Charge(pg, RacctResource.Nmsgq, 1));

        Assert.Equal(1, k.Syscalls.RctlRemoveRule(k.Init, "jail:pg").Value);

        Assert.Equal(Errno.OK, k.Racct.Charge(pg, RacctResource.Nmsgq, 1));
        Assert.Empty(k.Racct.Rules);
        Assert.Equal(Errno.ESRCH, k.Syscalls.RctlRemoveRule(k.Init, "jail:pg").Error);
        k.Racct.Release(pg, RacctResource.Nmsgq, 3);
    }

    [Fact]
    public void NsemopIsALimitOnlyAndNeverAccounted()
    {
        using var k = new Kernel();
        var pg = k.Create("pg");
        Assert.Equal(Errno.OK, k.Racct.Check(pg, RacctResource.Nsemop, 1000));
        AddRule(k, "jail:pg:nsemop:deny=3");
        Assert.Equal(Errno.OK, k.Racct.Check(pg, RacctResource.Nsemop, 3));
        Assert.Equal(Errno.E2BIG, k.Racct.Check(pg, RacctResource.Nsemop, 4));
        Assert.Equal(0, k.Racct.Usage(pg, RacctResource.Nsemop));
    }

    [Theory]
    [InlineData("jail:pg:nshm:deny=2", "jail:pg:nshm:deny=2")]
    [InlineData("j:pg:shmsize:deny=1m", "jail:pg:shmsize:deny=1048576")]
    [InlineData("jail:pg:msgqsize:deny=4K", "jail:pg:msgqsize:deny=4096")]
    public void RulesParseInFreeBsdSyntax(string text, string printed)
    {
        var r = RctlSyntax.ParseRule(text);
        Assert.True(r.Ok, r.ToString());
        Assert.Equal(printed, r.Value.ToString());
    }

    [Theory]
    [InlineData("jail:pg:nshm")]
    [InlineData("jail:pg:nshm:deny")]
    [InlineData("jail::nshm:deny=1")]
    [InlineData("jail:pg:cputime:deny=1")]
    [InlineData("jail:pg:nshm:log=1")]
    [InlineData("user:1001:nshm:deny=1")]
    [InlineData("jail:pg:nshm:deny=-1")]
    [InlineData("jail:pg:nshm:deny=x")]
    [InlineData("jail:pg:nshm:deny=99999999999e")]
    [InlineData("jail:pg:nshm:deny=1:extra")]
    public void BadRulesAreEinvalAndAddNothing(string text)
    {
        using var k = new Kernel();
        k.Create("pg");
        Assert.Equal(Errno.EINVAL, k.Syscalls.RctlAddRule(k.Init, text).Error);
        Assert.Empty(k.Racct.Rules);
    }

    [Fact]
    public void A_rule_may_name_a_jail_created_later_and_usage_of_an_unknown_jail_is_ESRCH()
    {
        using var k = new Kernel();
        k.Create("pg");
        Assert.True(k.Syscalls.RctlAddRule(k.Init, "jail:later:nshm:deny=1").Ok);
        Assert.Single(k.Racct.Rules);
        Assert.Equal(Errno.ESRCH, k.Syscalls.RctlGetRacct(k.Init, "jail:nosuch").Error);
        Assert.True(k.Syscalls.RctlAddRule(k.Init, "jail:0:nshm:deny=1").Ok);
    }

    [Fact]
    public void OnlyHostRootMayUseRctl()
    {
        using var k = new Kernel();
        var pg = k.Create("pg");
        var jailedRoot = k.Processes.Spawn(Ucred.Root(pg), "sh").Value;
        var hostUser = k.Processes.Spawn(new Ucred(1001, 1001, [], k.Prison0), "sh").Value;
        foreach (var cred in new[] { jailedRoot, hostUser })
        {
            Assert.Equal(Errno.EPERM, k.Syscalls.RctlAddRule(cred, "jail:pg:nshm:deny=1").Error);
            Assert.Equal(Errno.EPERM, k.Syscalls.RctlRemoveRule(cred, "").Error);
            Assert.Equal(Errno.EPERM, k.Syscalls.RctlGetRules(cred, "").Error);
            Assert.Equal(Errno.EPERM, k.Syscalls.RctlGetRacct(cred, "jail:pg").Error);
        }
        // The privilege check comes before the syntax check.
        Assert.Equal(Errno.EPERM, k.Syscalls.RctlAddRule(jailedRoot, "garbage").Error);
        Assert.Empty(k.Racct.Rules);
    }

    [Fact]
    public void FiltersSelectRulesToListAndRemove()
    {
        using var k = new Kernel();
        k.Create("a");
        k.Create("b");
        AddRule(k, "jail:a:nshm:deny=1");
        AddRule(k, "jail:a:nsem:deny=2");
        AddRule(k, "jail:b:nshm:deny=3");
        string[] List(string f) => k.Syscalls.RctlGetRules(k.Init, f).Value.Select(r => r.ToString()).ToArray();

        Assert.Equal(3, List("").Length);
        Assert.Equal(["jail:a:nshm:deny=1", "jail:a:nsem:deny=2"], List("jail:a"));
        Assert.Equal(["jail:a:nshm:deny=1", "jail:b:nshm:deny=3"], List("jail::nshm"));
        Assert.Equal(["jail:b:nshm:deny=3"], List("jail::nshm:deny=3"));
        Assert.Equal(Errno.EINVAL, k.Syscalls.RctlGetRules(k.Init, "jail:a:bogus").Error);

        Assert.Equal(2, k.Syscalls.RctlRemoveRule(k.Init, "jail::nshm").Value);
        Assert.Equal(["jail:a:nsem:deny=2"], List(""));
    }

    [Fact]
    public void UsageListsEveryResourceInFreeBsdOrder()
    {
        using var k = new Kernel();
        var pg = k.Create("pg");
        Assert.Equal(Errno.OK, k.Racct.Charge(pg, RacctResource.Nshm, 1));
        var usage = k.Syscalls.RctlGetRacct(k.Init, "jail:pg").Value;
        Assert.Equal(["msgqqueued=0", "msgqsize=0", "nmsgq=0", "nsem=0", "nsemop=0", "nshm=1", "shmsize=0"],
            usage.Select(u => $"{u.Resource.Name()}={u.Usage}"));
        Assert.Equal(Errno.EINVAL, k.Syscalls.RctlGetRacct(k.Init, "jail:").Error);
        Assert.Equal(Errno.EINVAL, k.Syscalls.RctlGetRacct(k.Init, "jail:pg:nshm").Error);
        k.Racct.Release(pg, RacctResource.Nshm, 1);
    }

    [Fact]
    public void ConcurrentChargesNeverPassALimit()
    {
        const int Seed = 1107;
        using var k = new Kernel();
        var pg = k.Create("pg");
        AddRule(k, "jail:pg:nsem:deny=50");
        var granted = 0;
        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, t =>
        {
            var rng = new Random(Seed + t);
            var mine = 0;
            for (var i = 0; i < 2000; i++)
            {
                if (mine > 0 && rng.Next(3) == 0)
                {
                    k.Racct.Release(pg, RacctResource.Nsem, 1);
                    mine--;
                }
                else if (k.Racct.Charge(pg, RacctResource.Nsem, 1) == Errno.OK)
                {
                    mine++;
                }
                Assert.True(k.Racct.Usage(pg, RacctResource.Nsem) <= 50, $"seed {Seed}: usage passed the limit");
            }
            Interlocked.Add(ref granted, mine);
        });
        Assert.Equal(granted, k.Racct.Usage(pg, RacctResource.Nsem));
        Assert.Equal(granted, k.Racct.Usage(k.Prison0, RacctResource.Nsem));
    }
}
