using System.Diagnostics;

namespace Prison.IpcScript.Language;

/// <summary>The kind of a System V IPC object.</summary>
internal enum IpcKind
{
    Shm,
    Sem,
    Msg,
}

/// <summary>
/// The <c>$N</c> references of a session (spec section 5). Sessions of one program's processes share
/// one table (<see cref="IpcScriptSession.Sibling"/>), which the shell's background jobs use from their
/// own threads: <see cref="_lock"/> protects <see cref="_entries"/> and each entry's Removed flag.
/// </summary>
internal sealed class IdReferences
{
    private readonly Lock _lock = new();
    private readonly List<Entry> _entries = [];

    /// <summary>How many references exist.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
                return _entries.Count;
        }
    }

    /// <summary>
    /// The reference for an id a get call returned: the earlier, not removed reference of the same
    /// kind and raw id, or a new one.
    /// </summary>
    public int Record(IpcKind kind, int id)
    {
        lock (_lock)
            return RecordLocked(kind, id);
    }

    private int RecordLocked(IpcKind kind, int id)
    {
        Debug.Assert(_lock.IsHeldByCurrentThread, "the reference table is changed under its lock");
        var existing = _entries.FindIndex(e => e.Kind == kind && e.Id == id && !e.Removed);
        if (existing >= 0)
            return existing;
        _entries.Add(new Entry(kind, id));
        return _entries.Count - 1;
    }

    /// <summary>Marks every live reference of that kind and raw id removed (after a successful IPC_RMID).</summary>
    public void MarkRemoved(IpcKind kind, int id)
    {
        lock (_lock)
        {
            foreach (var e in _entries.Where(e => e.Kind == kind && e.Id == id))
                e.Removed = true;
        }
    }

    /// <summary>
    /// A REF: <c>$N</c> (<c>bad ref</c> when malformed, undefined or of another kind) or a raw INT id
    /// (<c>bad number</c> when malformed or outside int32).
    /// </summary>
    public int Resolve(LineProblem problem, string token, IpcKind kind)
    {
        if (!token.StartsWith('$'))
            return (int)ArgParser.Int(problem, token, int.MinValue, int.MaxValue);
        var digits = token.AsSpan(1);
        lock (_lock)
        {
            if (digits.IsEmpty || digits.ContainsAnyExceptInRange('0', '9') || !int.TryParse(digits, out var n)
                || n >= _entries.Count || _entries[n].Kind != kind)
            {
                problem.Bad("ref");
                return 0;
            }
            return _entries[n].Id;
        }
    }

    private sealed class Entry(IpcKind kind, int id)
    {
        public IpcKind Kind { get; } = kind;

        public int Id { get; } = id;

        public bool Removed { get; set; }
    }
}
