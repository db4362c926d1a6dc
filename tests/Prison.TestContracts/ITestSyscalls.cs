using Prison.Core;
using Prison.Core.Procs;

namespace Prison.TestContracts;

/// <summary>The syscalls of the test module (its "sys header"): the host calls them through the syscall table.</summary>
public interface ITestSyscalls
{
    /// <summary>The <c>testsvc.level</c> of the caller's jail.</summary>
    SysResult<int> Level(Proc caller);

    /// <summary>
    /// Stays inside the module until <paramref name="release"/> is set, after setting
    /// <paramref name="entered"/>: lets a test hold a thread inside a module syscall.
    /// </summary>
    SysResult<int> Hold(ManualResetEventSlim entered, ManualResetEventSlim release);
}
