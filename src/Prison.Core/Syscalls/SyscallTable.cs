using System.Collections.Concurrent;

namespace Prison.Core.Syscalls;

/// <summary>
/// The syscall table. Contracts (interfaces such as <c>IShmSyscalls</c>) live in core like the headers
/// in <c>sys/</c>; a module binds an implementation when it loads. A call to an unbound contract fails
/// with ENOSYS. Entering a bound contract is lock-free (a volatile read and an interlocked counter, one of
/// several on their own cache lines picked by the current CPU, so callers on different cores do not
/// contend), and unbinding waits for every thread inside to leave (FreeBSD drains syscalls before
/// unloading).
/// </summary>
internal sealed class SyscallTable
{
    private readonly ConcurrentDictionary<Type, object> _gates = new();

    /// <summary>The gate for contract <typeparamref name="T"/> (created unbound on first use).</summary>
    public SyscallGate<T> Gate<T>() where T : class =>
        (SyscallGate<T>)_gates.GetOrAdd(typeof(T), static _ => new SyscallGate<T>());

    /// <summary>
    /// Drops the unbound gate of a contract a plugin defined itself: the table is keyed by the contract's
    /// type, and a type of an unloaded plugin must not stay reachable from the kernel.
    /// </summary>
    internal void ForgetCollectibleContract(Type contract)
    {
        if (contract.IsCollectible && _gates.TryGetValue(contract, out var gate) && ((ISyscallGate)gate).Owner is null)
            _gates.TryRemove(contract, out _);
    }

    /// <summary>The contracts bound right now, with their owners.</summary>
    public IReadOnlyList<(Type Contract, string Owner)> Bound =>
        _gates.Values.Cast<ISyscallGate>().Where(g => g.Owner is not null).Select(g => (g.Contract, g.Owner!)).ToArray();
}
