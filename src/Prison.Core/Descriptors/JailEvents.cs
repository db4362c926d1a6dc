using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace Prison.Core.Descriptors;

/// <summary>What happened to a watched jail (the planned kevent filter of the jail descriptors review).</summary>
public enum JailEventKind
{
    /// <summary>A child jail was created (<see cref="JailEvent.Jid"/> is the child).</summary>
    ChildCreated,
    /// <summary>Parameters were set.</summary>
    Set,
    /// <summary>A process attached (<see cref="JailEvent.Pid"/>).</summary>
    Attach,
    /// <summary>The jail was removed (delivered at once when it already is).</summary>
    Removed,
}

/// <summary>One event. <see cref="Multi"/> says several of this kind were coalesced; the ids are the latest.</summary>
/// <param name="Kind">The kind.</param>
/// <param name="Jid">The child's jid for <see cref="JailEventKind.ChildCreated"/>, else the jail's.</param>
/// <param name="Pid">The attaching pid for <see cref="JailEventKind.Attach"/>, else 0.</param>
/// <param name="Multi">True when more than one event of this kind was pending and they were merged.</param>
public readonly record struct JailEvent(JailEventKind Kind, int Jid, int Pid, bool Multi);

/// <summary>
/// A subscription to a jail's events: a queue where a new event coalesces with a pending one of the same
/// kind (like kevent's NOTE_JAIL_MULTI), readable as a <see cref="ChannelReader{T}"/> or an
/// <see cref="IAsyncEnumerable{T}"/>. It completes after <see cref="JailEventKind.Removed"/> or on dispose.
/// </summary>
/// <remarks>Locking: <c>_lock</c> protects the pending list and the completion state.</remarks>
public sealed class JailEventStream : ChannelReader<JailEvent>, IDisposable
{
    private readonly Lock _lock = new();
    private readonly List<JailEvent> _pending = [];
    private readonly Action<JailEventStream> _unsubscribe;
    private TaskCompletionSource<bool> _available = NewSignal();
    private bool _completed;

    internal JailEventStream(Action<JailEventStream> unsubscribe) => _unsubscribe = unsubscribe;

    /// <inheritdoc />
    public override bool TryRead(out JailEvent item)
    {
        lock (_lock)
        {
            if (_pending.Count == 0)
            {
                item = default;
                return false;
            }
            item = _pending[0];
            _pending.RemoveAt(0);
            return true;
        }
    }

    /// <inheritdoc />
    public override ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default)
    {
        Task<bool> signal;
        lock (_lock)
        {
            if (_pending.Count > 0)
                return ValueTask.FromResult(true);
            if (_completed)
                return ValueTask.FromResult(false);
            signal = _available.Task;
        }
        return new ValueTask<bool>(signal.WaitAsync(cancellationToken));
    }

    /// <summary>Reads events until the stream completes.</summary>
    public async IAsyncEnumerable<JailEvent> ReadEventsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (await WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (TryRead(out var e))
                yield return e;
        }
    }

    /// <summary>Stops the subscription; pending events can still be read.</summary>
    public void Dispose()
    {
        _unsubscribe(this);
        Complete();
    }

    internal void Post(JailEvent e)
    {
        TaskCompletionSource<bool> signal;
        lock (_lock)
        {
            if (_completed)
                return;
            var i = _pending.FindIndex(p => p.Kind == e.Kind);
            if (i >= 0)
                _pending[i] = e with { Multi = true };
            else
                _pending.Add(e);
            if (e.Kind == JailEventKind.Removed)
                _completed = true;
            signal = _available;
            _available = NewSignal();
        }
        signal.TrySetResult(true);
    }

    private void Complete()
    {
        TaskCompletionSource<bool> signal;
        lock (_lock)
        {
            _completed = true;
            signal = _available;
        }
        signal.TrySetResult(false);
    }

    private static TaskCompletionSource<bool> NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
