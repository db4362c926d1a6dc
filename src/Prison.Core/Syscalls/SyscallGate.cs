namespace Prison.Core.Syscalls;

internal interface ISyscallGate
{
    Type Contract { get; }

    string? Owner { get; }
}

/// <summary>One syscall contract's binding.</summary>
/// <typeparam name="T">The contract interface.</typeparam>
internal sealed class SyscallGate<T> : ISyscallGate where T : class
{
    private volatile Binding? _binding;

    /// <summary>True while a module implements the contract.</summary>
    public bool IsBound => _binding is not null;

    /// <summary>The module that bound the contract, or null.</summary>
    public string? Owner => _binding?.Owner;

    Type ISyscallGate.Contract => typeof(T);

    /// <summary>
    /// Enters the call: on true, <paramref name="lease"/> holds the implementation and must be disposed
    /// when the call returns. False means ENOSYS (not bound, or being unbound).
    /// </summary>
    public bool TryEnter(out SyscallLease<T> lease)
    {
        var b = _binding;
        if (b is not null && b.TryEnter(out var stripe))
        {
            lease = new SyscallLease<T>(b, stripe);
            return true;
        }
        lease = default;
        return false;
    }

    /// <summary>Binds an implementation; EEXIST when already bound.</summary>
    internal Errno Bind(T implementation, string owner)
    {
        var b = new Binding(implementation, owner);
#pragma warning disable CS0420 // Interlocked operations on a volatile field are fine.
        return Interlocked.CompareExchange(ref _binding, b, null) is null ? Errno.OK : Errno.EEXIST;
#pragma warning restore CS0420
    }

    /// <summary>Unbinds and waits until no thread is inside the contract.</summary>
    internal void UnbindAndDrain()
    {
        Close();
        Drain(stop: null);
        Unbind();
    }

    /// <summary>
    /// Closes the gate: new calls fail with ENOSYS (FreeBSD's <c>SY_THR_DRAINING</c>); threads inside
    /// go on. <see cref="Reopen"/> undoes it (an unload that was refused); <see cref="Unbind"/> completes it.
    /// </summary>
    internal void Close() => _binding?.Close();

    /// <summary>Opens a gate closed by <see cref="Close"/> again.</summary>
    internal void Reopen() => _binding?.Reopen();

    /// <summary>
    /// Waits until no thread is inside a closed gate. <paramref name="stop"/> is asked between short waits;
    /// true gives up (the module reports a caller blocked inside, which would wait forever), and the
    /// result is false.
    /// </summary>
    internal bool Drain(Func<bool>? stop) => _binding?.Drain(stop) ?? true;

    /// <summary>Drops the binding of a closed, drained gate: the contract answers ENOSYS from now on.</summary>
    internal void Unbind()
    {
#pragma warning disable CS0420
        var b = Interlocked.Exchange(ref _binding, null);
#pragma warning restore CS0420
        if (b is null)
            return;
        // Normally closed and drained already; a direct unbind still waits for the threads inside.
        b.Close();
        b.Drain(stop: null);
    }

    internal sealed class Binding(T implementation, string owner)
    {
        /// <summary>How long a drain waits before asking its stop condition again.</summary>
        private static readonly TimeSpan DrainSlice = TimeSpan.FromMilliseconds(5);

        // In-flight counters, one per stripe, each on its own 128-byte span, with a span of padding before
        // the first and after the last, so no counter shares a cache line with another counter or with the
        // fields every caller reads (this object's, allocated just before the array): callers on different
        // cores do not contend. A caller leaves on the stripe it entered on (threads move between CPUs).
        private const int Spacing = 16;
        private static readonly int Stripes = (int)Math.Min(64, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Environment.ProcessorCount));
        private readonly long[] _inFlight = new long[(Stripes + 2) * Spacing];
        private readonly ManualResetEventSlim _drained = new(false);
        private volatile bool _closing;

        public T Implementation { get; } = implementation;

        public string Owner { get; } = owner;

        public bool TryEnter(out int stripe)
        {
            stripe = ((Thread.GetCurrentProcessorId() & (Stripes - 1)) + 1) * Spacing;
            Interlocked.Increment(ref _inFlight[stripe]);
            if (!_closing)
                return true;
            Leave(stripe);
            return false;
        }

        public void Leave(int stripe)
        {
            Interlocked.Decrement(ref _inFlight[stripe]);
            // After closing, an entrant that sees _closing backs out at once and runs this check too, so
            // whoever leaves last sees a sum of 0 and sets the event.
            if (_closing && InFlight() == 0)
                _drained.Set();
        }

        public void Close()
        {
            _closing = true;
            // The store above must be visible before the counter is read (StoreLoad), or a leaver could miss it.
            Interlocked.MemoryBarrier();
        }

        public void Reopen() => _closing = false;

        public bool Drain(Func<bool>? stop)
        {
            // The counter decides; the event only shortens the waits (a reset can lose a Set, never a leave).
            while (InFlight() != 0)
            {
                if (stop is not null && stop())
                    return false;
                if (stop is null)
                {
                    _drained.Wait();
                }
                else
                {
                    _drained.Wait(DrainSlice);
                }
                _drained.Reset();
            }
            return true;
        }

        private long InFlight()
        {
            long sum = 0;
            for (var i = Spacing; i < _inFlight.Length - Spacing; i += Spacing)
                sum += Volatile.Read(ref _inFlight[i]);
            return sum;
        }
    }
}
