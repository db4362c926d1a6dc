namespace Prison.Core.Syscalls;

/// <summary>A thread's presence inside a syscall; dispose it when the call returns.</summary>
/// <typeparam name="T">The contract.</typeparam>
internal readonly struct SyscallLease<T> : IDisposable where T : class
{
    private readonly SyscallGate<T>.Binding? _binding;
    private readonly int _stripe;

    internal SyscallLease(SyscallGate<T>.Binding binding, int stripe)
    {
        _binding = binding;
        _stripe = stripe;
    }

    /// <summary>The implementation to call.</summary>
    public T Impl => _binding?.Implementation ?? throw new InvalidOperationException("no syscall lease");

    /// <summary>Leaves the call.</summary>
    public void Dispose() => _binding?.Leave(_stripe);
}
