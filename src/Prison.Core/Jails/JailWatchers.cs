using Prison.Core.Descriptors;

namespace Prison.Core.Jails;

/// <summary>
/// The event subscribers of one jail and its removal signal. Locking: <c>_lock</c> protects the
/// subscriber list; events are posted outside it.
/// </summary>
internal sealed class JailWatchers
{
    private readonly Lock _lock = new();
    private readonly List<JailEventStream> _streams = [];
    private readonly TaskCompletionSource<PollEvents> _removed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<PollEvents> Removed => _removed.Task;

    public JailEventStream Subscribe(Jail jail)
    {
        var stream = new JailEventStream(Unsubscribe);
        lock (_lock)
        {
            if (!_removed.Task.IsCompleted)
            {
                _streams.Add(stream);
                return stream;
            }
        }
        stream.Post(new JailEvent(JailEventKind.Removed, jail.Id, 0, false));
        return stream;
    }

    public void Post(JailEvent e)
    {
        JailEventStream[] streams;
        lock (_lock)
        {
            streams = [.. _streams];
            if (e.Kind == JailEventKind.Removed)
            {
                _streams.Clear();
                _removed.TrySetResult(PollEvents.Hup);
            }
        }
        foreach (var s in streams)
            s.Post(e);
    }

    private void Unsubscribe(JailEventStream stream)
    {
        lock (_lock)
            _streams.Remove(stream);
    }
}
