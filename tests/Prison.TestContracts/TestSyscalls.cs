using Prison.Core;
using Prison.Core.Procs;

namespace Prison.TestContracts;

/// <summary>The userland side of <see cref="ITestSyscalls"/>: ENOSYS when the test module is not loaded.</summary>
public static class TestSyscalls
{
    /// <summary>Calls <see cref="ITestSyscalls.Level"/>.</summary>
    public static SysResult<int> TestLevel(this Kernel k, Proc p)
    {
        if (!k.Syscalls.Gate<ITestSyscalls>().TryEnter(out var call))
            return Errno.ENOSYS;
        using (call)
            return call.Impl.Level(p);
    }

    /// <summary>Calls <see cref="ITestSyscalls.Hold"/>.</summary>
    public static SysResult<int> TestHold(this Kernel k, ManualResetEventSlim entered, ManualResetEventSlim release)
    {
        if (!k.Syscalls.Gate<ITestSyscalls>().TryEnter(out var call))
            return Errno.ENOSYS;
        using (call)
            return call.Impl.Hold(entered, release);
    }
}
