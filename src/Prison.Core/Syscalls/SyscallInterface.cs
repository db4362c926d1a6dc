namespace Prison.Core.Syscalls;

/// <summary>
/// The system call interface: the one way userland (the <c>prison</c> command, the IPC script
/// interpreter, hosts, tests) reaches the kernel, reached as <see cref="Kernel.Syscalls"/>. Each method
/// is one FreeBSD syscall (or a sysctl), takes the calling process first (FreeBSD's <c>td</c>), checks
/// that process's credential in the kernel, and returns <see cref="Errno"/> or a
/// <see cref="SysResult{T}"/>: the errno FreeBSD returns, with a tool-style message where one is known.
/// What comes back is a copy (a record, a list, a string), never a live kernel object, as
/// <c>copyout</c> hands userland its own bytes.
/// </summary>
/// <remarks>
/// Calls into a module (System V IPC, ZFS) go through the <see cref="SyscallTable"/> gate of their
/// contract and return ENOSYS while no module implements it. A module that defines its own contract
/// is reached with <see cref="Call{TContract, TResult}(Func{TContract, SysResult{TResult}})"/>.
/// Thread-safe: every method may be called from any thread.
/// </remarks>
public sealed partial class SyscallInterface
{
    private readonly Kernel _kernel;

    internal SyscallInterface(Kernel kernel) => _kernel = kernel;

    /// <summary>
    /// A call into a module-defined syscall contract (FreeBSD's <c>syscall(2)</c> to a number a module
    /// registered with <c>SYSCALL_MODULE</c>): runs <paramref name="call"/> on the bound implementation while
    /// holding the gate, so the module cannot unload under it.
    /// </summary>
    /// <returns>What <paramref name="call"/> returns; ENOSYS when no loaded module implements <typeparamref name="TContract"/>.</returns>
    public SysResult<TResult> Call<TContract, TResult>(Func<TContract, SysResult<TResult>> call) where TContract : class
    {
        ArgumentNullException.ThrowIfNull(call);
        if (!_kernel.Sysent.Gate<TContract>().TryEnter(out var lease))
            return Errno.ENOSYS;
        using (lease)
            return call(lease.Impl);
    }
}
