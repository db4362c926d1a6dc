namespace Prison.IpcScript;

/// <summary>How a back-end call ended.</summary>
public enum IpcOutcome
{
    /// <summary>The call succeeded.</summary>
    Ok,
    /// <summary>The call failed with an errno (see <see cref="IpcResult.ErrorName"/>).</summary>
    Error,
    /// <summary>The call would have put the caller to sleep; nothing changed.</summary>
    WouldBlock,
}

/// <summary>The result of a back-end call without a value.</summary>
/// <param name="Outcome">How the call ended.</param>
/// <param name="ErrorName">The errno's symbolic name (EINVAL, or E&lt;number&gt; when unknown) when it failed.</param>
public readonly record struct IpcResult(IpcOutcome Outcome, string? ErrorName)
{
    /// <summary>A success.</summary>
    public static IpcResult Success => new(IpcOutcome.Ok, null);

    /// <summary>The call would have slept.</summary>
    public static IpcResult Blocked => new(IpcOutcome.WouldBlock, null);

    /// <summary>A failure with the errno named <paramref name="name"/>.</summary>
    public static IpcResult Fail(string name) => new(IpcOutcome.Error, name);

    /// <summary>True on success.</summary>
    public bool Ok => Outcome == IpcOutcome.Ok;
}

/// <summary>The result of a back-end call that returns a value.</summary>
/// <typeparam name="T">The value's type.</typeparam>
/// <param name="Status">How the call ended.</param>
/// <param name="Value">The value (meaningful on success only).</param>
public readonly record struct IpcResult<T>(IpcResult Status, T Value)
{
    /// <summary>A success carrying <paramref name="value"/>.</summary>
    public static IpcResult<T> Success(T value) => new(IpcResult.Success, value);

    /// <summary>True on success.</summary>
    public bool Ok => Status.Ok;

    /// <summary>A failure or a would-block result without a value.</summary>
    public static implicit operator IpcResult<T>(IpcResult status) =>
        status.Ok ? throw new ArgumentException("A success needs a value.", nameof(status)) : new(status, default!);
}
