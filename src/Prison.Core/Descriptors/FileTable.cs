namespace Prison.Core.Descriptors;

/// <summary>What poll(2) reports for a descriptor.</summary>
[Flags]
public enum PollEvents
{
    /// <summary>Nothing.</summary>
    None = 0,
    /// <summary>Hang-up: for a jail descriptor, the jail was removed.</summary>
    Hup = 0x10,
    /// <summary>The descriptor was closed while being polled.</summary>
    Nval = 0x20,
}

/// <summary>
/// A process's descriptor table. Descriptors 0-2 start as the terminal; new descriptors take the lowest
/// free number. Locking: <c>_lock</c> protects the slot map; files are closed outside it.
/// </summary>
internal sealed class FileTable
{
    private readonly Lock _lock = new();
    private readonly SortedDictionary<int, Slot> _slots = [];

    internal FileTable()
    {
        var tty = new TerminalFile();
        for (var fd = 0; fd < 3; fd++)
            Install(tty);
    }

    /// <summary>The open descriptors and what they name.</summary>
    public IReadOnlyList<(int Fd, KernelFile File)> Open
    {
        get
        {
            lock (_lock)
                return _slots.Select(kv => (kv.Key, kv.Value.File)).ToArray();
        }
    }

    /// <summary>Installs <paramref name="file"/> at the lowest free descriptor and returns it.</summary>
    public int Install(KernelFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        file.AddReference();
        lock (_lock)
        {
            var fd = 0;
            while (_slots.ContainsKey(fd))
                fd++;
            _slots[fd] = new Slot(file);
            return fd;
        }
    }

    /// <summary>The file a descriptor names, or null (EBADF).</summary>
    public KernelFile? Get(int fd)
    {
        lock (_lock)
            return _slots.TryGetValue(fd, out var s) ? s.File : null;
    }

    /// <summary>close(2): EBADF for a descriptor that is not open.</summary>
    public Errno Close(int fd)
    {
        Slot? slot;
        lock (_lock)
        {
            if (!_slots.Remove(fd, out slot))
                return Errno.EBADF;
        }
        slot.Closed.TrySetResult(PollEvents.Nval);
        slot.File.DropReference();
        return Errno.OK;
    }

    /// <summary>Passes a descriptor to another process (SCM_RIGHTS): the same file, a new number there.</summary>
    public SysResult<int> Pass(int fd, FileTable destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var file = Get(fd);
        return file is null ? Errno.EBADF : SysResult<int>.Success(destination.Install(file));
    }

    /// <summary>
    /// poll(2) for one descriptor: completes with <see cref="PollEvents.Nval"/> when the descriptor is
    /// closed, or with the file's own events (a jail descriptor: <see cref="PollEvents.Hup"/> when its
    /// jail is removed), whichever comes first.
    /// </summary>
    public Task<PollEvents> PollAsync(int fd, CancellationToken cancellationToken = default)
    {
        Slot? slot;
        lock (_lock)
        {
            if (!_slots.TryGetValue(fd, out slot))
                return Task.FromResult(PollEvents.Nval);
        }
        // Other files have no events of their own in this model: only closing wakes the poller.
        var own = slot.File is JailDescriptor jd ? jd.Removed : new TaskCompletionSource<PollEvents>().Task;
        return WaitAsync(slot.Closed.Task, own, cancellationToken);
    }

    private static async Task<PollEvents> WaitAsync(Task<PollEvents> closed, Task<PollEvents> own, CancellationToken cancellationToken)
    {
        await Task.WhenAny(closed, own).WaitAsync(cancellationToken).ConfigureAwait(false);
        // Closing an owning descriptor also removes its jail, so both may have completed by now, and the
        // order in which their continuations ran says nothing. Close completes `closed` before it drops the
        // file, so a completed `closed` means the descriptor went first: poll reports POLLNVAL for it.
        return closed.IsCompleted ? PollEvents.Nval : await own.ConfigureAwait(false);
    }

    /// <summary>Makes this table a copy of <paramref name="parent"/>'s (fork): same numbers, same files.</summary>
    internal void CopyFrom(FileTable parent)
    {
        var open = parent.Open;
        CloseAll();
        lock (_lock)
        {
            foreach (var (fd, file) in open)
            {
                file.AddReference();
                _slots[fd] = new Slot(file);
            }
        }
    }

    /// <summary>Closes every descriptor (process exit).</summary>
    internal void CloseAll()
    {
        int[] fds;
        lock (_lock)
            fds = [.. _slots.Keys];
        foreach (var fd in fds)
            Close(fd);
    }

    private sealed class Slot(KernelFile file)
    {
        public KernelFile File { get; } = file;

        public TaskCompletionSource<PollEvents> Closed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
