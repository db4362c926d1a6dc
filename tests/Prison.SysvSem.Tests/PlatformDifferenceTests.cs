using Prison.Core;
using static Prison.Core.Ipc.IpcConstants;
using static Prison.SysvSem.Tests.SemTestKernel;

namespace Prison.SysvSem.Tests;

/// <summary>
/// Cases where FreeBSD and Linux give different answers and Prison follows FreeBSD. Each is tagged
/// <c>PlatformDifference</c> and listed in section 10 of docs/ipc-script-language.md ("Where FreeBSD and
/// Linux differ"), so the Linux conformance scripts leave it out.
/// </summary>
public sealed class PlatformDifferenceTests : IDisposable
{
    private readonly SemTestKernel _t = new();

    public void Dispose() => _t.Dispose();

    [Fact]
    [Trait("PlatformDifference", "semexit-semvmx")]
    public void SEM_UNDO_at_exit_is_not_clamped_to_semvmx_as_in_FreeBSD_semexit()
    {
        Assert.Equal(Errno.OK, _t.K.Sysctl.Write(_t.Host.Cred, "kern.ipc.semvmx", "10"));
        var id = _t.NewSet(_t.Host);
        _t.SetVal(id, 0, 5);
        var p = _t.Spawn(0, 0);
        Assert.Equal(Errno.OK, _t.Op(p, id, B(0, -1, SEM_UNDO)));   // adjust-on-exit +1, value 4
        Assert.Equal(Errno.OK, _t.Op(_t.Host, id, B(0, 6)));        // value 10 = semvmx
        _t.K.Processes.Exit(p);
        // FreeBSD's semexit_myhook adds the adjustment without an upper bound: 11. Linux clamps to 10.
        Assert.Equal(11, _t.Val(id));
    }

    [Fact]
    [Trait("PlatformDifference", "semexit-semvmx")]
    public void SEM_UNDO_at_exit_stops_at_zero_as_in_FreeBSD_semexit()
    {
        var id = _t.NewSet(_t.Host);
        var p = _t.Spawn(0, 0);
        Assert.Equal(Errno.OK, _t.Op(p, id, B(0, 3, SEM_UNDO)));    // adjust-on-exit -3, value 3
        Assert.Equal(Errno.OK, _t.Op(_t.Host, id, B(0, -2)));       // value 1
        _t.K.Processes.Exit(p);
        Assert.Equal(0, _t.Val(id));
    }
}
