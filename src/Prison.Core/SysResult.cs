namespace Prison.Core;

/// <summary>
/// The outcome of a syscall-like operation: a value, or an <see cref="Errno"/> with an optional
/// message (FreeBSD's <c>jail_errmsg</c> / <c>errmsg</c> option). A struct, so the ordinary failure
/// of a hot path (EAGAIN in a poll loop) costs no allocation and no exception.
/// </summary>
/// <typeparam name="T">The success value.</typeparam>
public readonly struct SysResult<T>
{
    private readonly T _value;

    private SysResult(T value, Errno error, string? message)
    {
        _value = value;
        Error = error;
        Message = message;
    }

    /// <summary>The error, or <see cref="Errno.OK"/>.</summary>
    public Errno Error { get; }

    /// <summary>A human-readable explanation for administrative calls, or null.</summary>
    public string? Message { get; }

    /// <summary>True when the call succeeded.</summary>
    public bool Ok => Error == Errno.OK;

    /// <summary>The value; throws if the call failed (a programming error in the caller).</summary>
    public T Value => Ok ? _value : throw new InvalidOperationException($"The call failed with {Error.Name()}: {Message}");

    /// <summary>A success.</summary>
    public static SysResult<T> Success(T value) => new(value, Errno.OK, null);

    /// <summary>A failure.</summary>
    public static SysResult<T> Fail(Errno error, string? message = null) =>
        error == Errno.OK ? throw new ArgumentException("A failure needs an error.", nameof(error)) : new(default!, error, message);

    /// <summary>
    /// The failure of a plugin callback that threw: the exception's own errno for a
    /// <see cref="KernelErrorException"/>, EDOOFUS for any other, with a message naming <paramref name="who"/>.
    /// </summary>
    public static SysResult<T> FromException(Exception ex, string who)
    {
        ArgumentNullException.ThrowIfNull(ex);
        return ex is KernelErrorException k ? Fail(k.Error, $"{who}: {k.Message}") : Fail(Errno.EDOOFUS, $"{who}: {ex.Message}");
    }

    /// <summary>Lifts an errno into a failed result.</summary>
    public static implicit operator SysResult<T>(Errno error) => Fail(error);

    /// <summary>The error message as jail(8) would print it: the message, or strerror.</summary>
    public string ErrorText => Message ?? Error.Describe();

    /// <inheritdoc />
    public override string ToString() => Ok ? $"ok {_value}" : $"err {Error.Name()}{(Message is null ? "" : ": " + Message)}";
}

/// <summary>
/// An error carried as an exception, for the places where a failure must cross a callback boundary
/// (a service <c>create</c> callback that wants to fail jail creation with a specific errno).
/// Never used for ordinary errors on hot paths.
/// </summary>
public sealed class KernelErrorException : Exception
{
    /// <summary>Creates the exception.</summary>
    public KernelErrorException(Errno error, string? message = null)
        : base(message ?? error.Describe()) => Error = error;

    /// <summary>Creates the exception with EDOOFUS.</summary>
    public KernelErrorException() : this(Errno.EDOOFUS) { }

    /// <summary>Creates the exception with EDOOFUS.</summary>
    public KernelErrorException(string message) : this(Errno.EDOOFUS, message) { }

    /// <summary>Creates the exception with EDOOFUS.</summary>
    public KernelErrorException(string message, Exception inner) : base(message, inner) => Error = Errno.EDOOFUS;

    /// <summary>The errno the failing operation reports.</summary>
    public Errno Error { get; }
}
