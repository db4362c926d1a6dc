using Prison.Core;
using Prison.Core.Procs;
using Prison.Core.Services;
using Prison.TestContracts;

namespace Prison.TestPlugin;

/// <summary>The module's implementation of <see cref="ITestSyscalls"/>.</summary>
internal sealed class TestSyscallsImpl : ITestSyscalls
{
    /// <summary>How long <see cref="Hold"/> waits at most, so a broken test cannot hang the run.</summary>
    private static readonly TimeSpan HoldLimit = TimeSpan.FromSeconds(30);

    /// <summary>The service's slot; set right after the service registers.</summary>
    public ServiceSlot<TestJailState>? Slot { get; set; }

    public SysResult<int> Level(Proc caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (Slot?.Get(caller.Jail) is not { } state)
            return Errno.ENOENT;
        return SysResult<int>.Success(state.Level);
    }

    public SysResult<int> Hold(ManualResetEventSlim entered, ManualResetEventSlim release)
    {
        ArgumentNullException.ThrowIfNull(entered);
        ArgumentNullException.ThrowIfNull(release);
        entered.Set();
        return release.Wait(HoldLimit) ? SysResult<int>.Success(0) : Errno.EAGAIN;
    }
}
