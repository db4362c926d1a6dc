namespace Prison.IpcScript.Language;

/// <summary>The state of an attachment reference (spec section 6).</summary>
internal enum AttachmentState
{
    /// <summary>Attached.</summary>
    Live,
    /// <summary>Detached; the range stays reserved with no access.</summary>
    Detached,
    /// <summary>The range was reused by a later shmat at an address inside it; the reference is dead.</summary>
    Consumed,
}

/// <summary>One <c>@N</c>.</summary>
internal sealed class Attachment(ulong address, ulong segsz, bool readOnly)
{
    /// <summary>The page size and SHMLBA.</summary>
    public const ulong Page = 4096;

    /// <summary>The attach address.</summary>
    public ulong Address { get; } = address;

    /// <summary>The segment's size when it was attached (not rounded).</summary>
    public ulong Segsz { get; } = segsz;

    /// <summary>The mapping length: segsz rounded up to pages, at least one page.</summary>
    public ulong MapLength { get; } = Math.Max(Page, RoundUp(segsz));

    /// <summary>True for a SHM_RDONLY attachment.</summary>
    public bool ReadOnly { get; } = readOnly;

    /// <summary>The state.</summary>
    public AttachmentState State { get; set; } = AttachmentState.Live;

    /// <summary>The mapped range.</summary>
    public IpcRange Range => new(Address, MapLength);

    /// <summary><paramref name="n"/> rounded up to a page multiple (saturating).</summary>
    public static ulong RoundUp(ulong n) => n > ulong.MaxValue - (Page - 1) ? ulong.MaxValue & ~(Page - 1) : (n + Page - 1) & ~(Page - 1);
}

/// <summary>An ATT argument: <c>@N</c>, <c>@N+K</c> or <c>@N-K</c>.</summary>
internal readonly record struct AttRef(int Index, long Offset, bool HasOffset);

/// <summary>The <c>@N</c> references of a session.</summary>
internal sealed class Attachments
{
    private readonly List<Attachment> _list = [];

    /// <summary>How many attachments were made.</summary>
    public int Count => _list.Count;

    /// <summary>The attachment <paramref name="index"/>.</summary>
    public Attachment this[int index] => _list[index];

    /// <summary>Appends a live attachment; returns its number.</summary>
    public int Add(Attachment attachment)
    {
        _list.Add(attachment);
        return _list.Count - 1;
    }

    /// <summary>
    /// Parses an ATT and looks it up: <c>bad ref</c> when malformed, when N is not an attachment, or
    /// when the attachment is consumed; <c>bad offset</c> when K does not fit in 64 bits.
    /// Returns null on a problem.
    /// </summary>
    public (AttRef Ref, Attachment Attachment)? Resolve(LineProblem problem, string token)
    {
        if (!token.StartsWith('@'))
        {
            problem.Bad("ref");
            return null;
        }
        var body = token[1..];
        var signAt = body.IndexOfAny(['+', '-']);
        var indexText = signAt < 0 ? body : body[..signAt];
        if (indexText.Length == 0 || indexText.AsSpan().ContainsAnyExceptInRange('0', '9')
            || !int.TryParse(indexText, out var index) || index >= _list.Count)
        {
            problem.Bad("ref");
            return null;
        }
        long offset = 0;
        if (signAt >= 0)
        {
            var offsetText = body[(signAt + 1)..];
            if (offsetText.Length == 0 || offsetText.AsSpan().ContainsAnyExceptInRange('0', '9'))
            {
                problem.Bad("ref");
                return null;
            }
            offset = ArgParser.Int(problem, body[signAt] == '-' ? "-" + offsetText : offsetText, reason: "offset");
            if (problem.Found)
                return null;
        }
        var attachment = _list[index];
        if (attachment.State == AttachmentState.Consumed)
        {
            problem.Bad("ref");
            return null;
        }
        return (new AttRef(index, offset, signAt >= 0), attachment);
    }
}
