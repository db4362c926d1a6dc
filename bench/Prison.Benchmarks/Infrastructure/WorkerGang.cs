namespace Prison.Benchmarks.Infrastructure;

/// <summary>
/// A fixed set of threads that run one body each, all started together, for throughput benchmarks. The
/// threads live across invocations (no thread start in the measurement); <see cref="Run"/> releases them
/// and returns when every one finished its body. Each thread first runs its <c>setup</c> (for example
/// unshare into its own IPC namespace), so per-thread state stays on that thread.
/// </summary>
internal sealed class WorkerGang : IDisposable
{
    private readonly Thread[] _threads;
    private readonly Barrier _start;
    private readonly Barrier _end;
    private readonly Action<int> _body;
    private Exception? _failure;
    private volatile bool _stop;

    /// <param name="count">How many threads.</param>
    /// <param name="setup">Runs once on each thread with its index, before the first <see cref="Run"/>.</param>
    /// <param name="body">Runs on each thread with its index at every <see cref="Run"/>.</param>
    public WorkerGang(int count, Action<int> setup, Action<int> body)
    {
        _body = body;
        _start = new Barrier(count + 1);
        _end = new Barrier(count + 1);
        using var ready = new CountdownEvent(count);
        _threads = new Thread[count];
        for (var i = 0; i < count; i++)
        {
            var index = i;
            _threads[i] = new Thread(() =>
            {
                try
                {
                    setup(index);
                }
                catch (Exception e)
                {
                    _failure = e;
                }
                ready.Signal();
                Loop(index);
            })
            { IsBackground = true, Name = $"worker {i}" };
            _threads[i].Start();
        }
        ready.Wait();
        if (_failure is { } f)
            throw new InvalidOperationException("worker setup failed: " + f.Message, f);
    }

    /// <summary>Runs every body once, in parallel; throws when one failed.</summary>
    public void Run()
    {
        _start.SignalAndWait();
        _end.SignalAndWait();
        if (_failure is { } f)
            throw new InvalidOperationException("worker failed: " + f.Message, f);
    }

    public void Dispose()
    {
        _stop = true;
        _start.SignalAndWait();
        foreach (var t in _threads)
            t.Join();
        _start.Dispose();
        _end.Dispose();
    }

    private void Loop(int index)
    {
        while (true)
        {
            _start.SignalAndWait();
            if (_stop)
                return;
            try
            {
                _body(index);
            }
            catch (Exception e)
            {
                _failure = e;
            }
            _end.SignalAndWait();
        }
    }
}
