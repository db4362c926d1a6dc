using System.Reflection;
using Prison.Core;
using Prison.Plugins.SysvMsg;
using Prison.Tests.Shared;

namespace Prison.SysvMsg.Tests;

/// <summary>
/// The debug-build invariant checks (docs/locking.md, "Debug checks") run in this suite: state corrupted
/// behind the module's back is caught by the next operation that checks it.
/// </summary>
public sealed class DebugCheckTests : IDisposable
{
    private readonly MsgFixture _f = new();

    public void Dispose() => _f.Dispose();

    [SkippableFact]
    public void A_header_count_that_disagrees_with_the_queued_messages_is_caught_when_a_queue_is_created()
    {
        DebugBuild.Require();
        var id = _f.Get(_f.Root, 1, MsgFixture.CREAT | 0x180);
        Assert.Equal(Errno.OK, _f.Send(_f.Root, id, 1, "x"));
        var field = typeof(MsgFacility).GetField("_usage", BindingFlags.NonPublic | BindingFlags.Instance)!;
        var usage = (long)field.GetValue(_f.Queues)!;
        field.SetValue(_f.Queues, usage + (1L << 32));

        var caught = Record.Exception(() => _f.Kernel.Syscalls.MsgGet(_f.Root, 2, MsgFixture.CREAT | 0x180));

        field.SetValue(_f.Queues, usage);
        Assert.NotNull(caught);
        Assert.Contains("2 headers in use but 1 messages queued", caught.ToString());
    }

    [SkippableFact]
    public void A_byte_count_that_disagrees_with_the_queue_is_caught_by_the_next_msgsnd()
    {
        DebugBuild.Require();
        var id = _f.Get(_f.Root, 1, MsgFixture.CREAT | 0x180);
        Assert.Equal(Errno.OK, _f.Send(_f.Root, id, 1, "abc"));
        var queues = (Prison.Core.Ipc.Sysv.IpcSlotTable<MessageQueue>)typeof(MsgFacility).GetField("_queues", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(_f.Queues)!;
        var q = queues.Lookup(id)!;
        lock (q.Gate)
            q.Cbytes += 10;

        var caught = Record.Exception(() => _f.Send(_f.Root, id, 1, "d"));

        lock (q.Gate)
            q.Cbytes -= 10;
        Assert.NotNull(caught);
        Assert.Contains("msg_cbytes 14 but its messages hold 4 bytes", caught.ToString());
    }
}
