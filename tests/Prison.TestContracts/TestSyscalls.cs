using Prison.Core;
using Prison.Core.Procs;
using Prison.Core.Syscalls;

namespace Prison.TestContracts;

/// <summary>The userland side of <see cref="ITestSyscalls"/>, on the kernel's syscall interface: ENOSYS when the test module is not loaded.</summary>
public static class TestSyscalls
{
    /// <summary>Calls <see cref="ITestSyscalls.Level"/>.</summary>
    public static SysResult<int> TestLevel(this SyscallInterface syscalls, Proc p)
    {
        ArgumentNullException.ThrowIfNull(syscalls);
        return syscalls.Call<ITestSyscalls, int>(t => t.Level(p));
    }

    /// <summary>Calls <see cref="ITestSyscalls.Hold"/>.</summary>
    public static SysResult<int> TestHold(this SyscallInterface syscalls, ManualResetEventSlim entered, ManualResetEventSlim release)
    {
        ArgumentNullException.ThrowIfNull(syscalls);
        return syscalls.Call<ITestSyscalls, int>(t => t.Hold(entered, release));
    }
}
