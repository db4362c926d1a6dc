using Prison.Core;
using Prison.Core.Ipc;
using Prison.Core.Jails;
using Prison.Core.Rctl;
using static Prison.SysvMsg.Tests.MsgFixture;

namespace Prison.SysvMsg.Tests.Rctl;

public sealed class MsgRctlTests
{
    private static void Rule(MsgFixture f, string rule) => Assert.True(f.Kernel.Syscalls.RctlAddRule(f.Kernel.Init, rule).Ok, rule);

    private static (long Queues, long Queued, long Bytes) Use(MsgFixture f, Jail j) =>
        (f.Kernel.Racct.Usage(j, RacctResource.Nmsgq), f.Kernel.Racct.Usage(j, RacctResource.MsgqQueued), f.Kernel.Racct.Usage(j, RacctResource.MsgqSize));

    [Fact]
    public void Nmsgq_denies_the_queue_past_the_limit_with_ENOSPC_and_creates_nothing()
    {
        using var f = new MsgFixture();
        var pg = f.Jail("pg");
        var p = f.RootIn(pg);
        Rule(f, "jail:pg:nmsgq:deny=2");
        f.Get(p, 0, CREAT | Oct(600));
        f.Get(p, 0, CREAT | Oct(600));

        Assert.Equal(Errno.ENOSPC, f.Kernel.Syscalls.MsgGet(p, 7, CREAT | Oct(600)).Error);

        Assert.Equal(2, f.Msqids(p).Count);
        Assert.Equal(Errno.ENOENT, f.Kernel.Syscalls.MsgGet(p, 7, 0).Error);
        Assert.Equal((2, 0, 0), Use(f, pg));
    }

    [Fact]
    public void Msgqqueued_denies_the_message_past_the_limit_with_EAGAIN_even_without_IPC_NOWAIT()
    {
        using var f = new MsgFixture();
        var pg = f.Jail("pg");
        var p = f.RootIn(pg);
        var id = f.Get(p, 0, CREAT | Oct(600));
        Rule(f, "jail:pg:msgqqueued:deny=2");
        Assert.Equal(Errno.OK, f.Send(p, id, 1, "one"));
        Assert.Equal(Errno.OK, f.Send(p, id, 1, "two"));

        Assert.Equal(Errno.EAGAIN, f.Send(p, id, 1, "three", flags: 0));

        Assert.Equal(2ul, f.Stat(p, id).Qnum);
        Assert.Equal((1, 2, 6), Use(f, pg));
        Assert.Equal("one", f.ReceiveText(p, id, 0));
        Assert.Equal(Errno.OK, f.Send(p, id, 1, "three"));
    }

    [Fact]
    public void Msgqsize_denies_with_EAGAIN_and_success_just_below_the_limit()
    {
        using var f = new MsgFixture();
        var pg = f.Jail("pg");
        var p = f.RootIn(pg);
        var id = f.Get(p, 0, CREAT | Oct(600));
        Rule(f, "jail:pg:msgqsize:deny=10");
        Assert.Equal(Errno.OK, f.Send(p, id, 1, "123456"));

        Assert.Equal(Errno.EAGAIN, f.Send(p, id, 1, "12345"));
        Assert.Equal((1, 1, 6), Use(f, pg));
        Assert.Equal(6ul, f.Stat(p, id).Cbytes);

        Assert.Equal(Errno.OK, f.Send(p, id, 1, "1234"));
        Assert.Equal((1, 2, 10), Use(f, pg));
    }

    [Fact]
    public void Messages_are_charged_to_the_queue_creator_and_released_there_whoever_sends_and_receives()
    {
        using var f = new MsgFixture();
        var pg = f.Jail("pg");
        var web = f.Jail("web", "inherit");
        var id = f.Get(f.RootIn(pg), 0, CREAT | Oct(666));

        Assert.Equal(Errno.OK, f.Send(f.Root, id, 1, "from the host"));
        Assert.Equal((1, 1, 13), Use(f, pg));
        Assert.Equal((0, 0, 0), Use(f, web));

        Assert.Equal("from the host", f.ReceiveText(f.Root, id, 0));
        Assert.Equal((1, 0, 0), Use(f, pg));
        Assert.Equal((1, 0, 0), Use(f, f.Kernel.Prison0));
    }

    [Fact]
    public void A_childs_messages_count_against_its_parents_limit()
    {
        using var f = new MsgFixture();
        var pg = f.Jail("pg", childrenMax: 1);
        var db = f.Jail("pg.db");
        Rule(f, "jail:pg:msgqqueued:deny=1");
        var child = f.Get(f.RootIn(db), 0, CREAT | Oct(600));
        var parent = f.Get(f.RootIn(pg), 0, CREAT | Oct(600));
        Assert.Equal(Errno.OK, f.Send(f.RootIn(db), child, 1, "x"));

        Assert.Equal(Errno.EAGAIN, f.Send(f.RootIn(pg), parent, 1, "y"));
        Assert.Equal(Errno.EAGAIN, f.Send(f.RootIn(db), child, 1, "z"));

        Assert.True(f.Kernel.Syscalls.RctlRemoveRule(f.Kernel.Init, "jail:pg").Ok);
        Assert.Equal(Errno.OK, f.Send(f.RootIn(pg), parent, 1, "y"));
        Assert.Equal((2, 2, 2), Use(f, pg));
    }

    [Fact]
    public void A_sender_asleep_when_the_queue_is_removed_gives_its_charge_back()
    {
        using var f = new MsgFixture();
        var pg = f.Jail("pg");
        var p = f.RootIn(pg);
        var id = f.Get(p, 0, CREAT | Oct(600));
        var qbytes = (int)f.Stat(p, id).Qbytes;
        Assert.Equal(Errno.OK, f.Send(p, id, 1, new byte[qbytes]));
        var sleeper = Start(() => f.Send(p, id, 2, "wait", flags: 0));
        f.WaitForSleepers(id, 1, 0);
        Assert.Equal((1, 2, qbytes + 4), Use(f, pg));

        Assert.Equal(Errno.OK, f.Rmid(p, id));

        Assert.Equal(Errno.EIDRM, sleeper.Result());
        Assert.Equal((0, 0, 0), Use(f, pg));
        Assert.Equal((0, 0, 0), Use(f, f.Kernel.Prison0));
    }

    [Fact]
    public void Failed_sends_give_their_charge_back()
    {
        using var f = new MsgFixture();
        var pg = f.Jail("pg");
        var p = f.RootIn(pg);
        var id = f.Get(p, 0, CREAT | Oct(600));
        var qbytes = (int)f.Stat(p, id).Qbytes;
        Assert.Equal(Errno.EINVAL, f.Send(p, id, 0, "bad type"));
        Assert.Equal(Errno.EINVAL, f.Send(p, id, 1, new byte[qbytes + 1]));
        Assert.Equal(Errno.OK, f.Send(p, id, 1, new byte[qbytes]));
        Assert.Equal(Errno.EAGAIN, f.Send(p, id, 1, "full"));
        Assert.Equal(Errno.EWOULDSLEEP, f.Send(p, id, 1, "full", flags: 0, wait: Prison.Core.WaitPolicy.ReportWouldSleep));
        Assert.Equal((1, 1, qbytes), Use(f, pg));
    }

    [Fact]
    public void Jail_removal_and_forced_unload_give_queues_and_messages_back()
    {
        using var f = new MsgFixture();
        var pg = f.Jail("pg");
        var web = f.Jail("web");
        var a = f.Get(f.RootIn(pg), 0, CREAT | Oct(600));
        var b = f.Get(f.RootIn(web), 0, CREAT | Oct(600));
        Assert.Equal(Errno.OK, f.Send(f.RootIn(pg), a, 1, "pg"));
        Assert.Equal(Errno.OK, f.Send(f.RootIn(web), b, 1, "web"));

        Assert.Equal(Errno.OK, f.Kernel.Syscalls.JailRemove(f.Kernel.Init, pg.Id));
        Assert.Equal((1, 1, 3), Use(f, f.Kernel.Prison0));

        // kldunload -f does not skip msgunload's own refusal while a queue exists: nothing changes.
        Assert.Equal(Errno.EBUSY, f.Kernel.Modules.Unload(f.Kernel.Init.Cred, "sysvmsg", force: true).Error);
        Assert.Equal((1, 1, 3), Use(f, f.Kernel.Prison0));
        Assert.Equal(Errno.OK, f.Kernel.Syscalls.JailRemove(f.Kernel.Init, web.Id));
        Assert.True(f.Kernel.Modules.Unload(f.Kernel.Init.Cred, "sysvmsg", force: true).Ok);
        Assert.Equal((0, 0, 0), Use(f, web));
        Assert.Equal((0, 0, 0), Use(f, f.Kernel.Prison0));
    }
}
