namespace Prison.IpcScript;

/// <summary>The operations a back end executes (Prison's kernel, or the Linux kernel).</summary>
public interface IIpcBackend
{
}

/// <summary>
/// One IPC script session: the <c>$N</c> / <c>@N</c> bookkeeping and one result line per executed line.
/// </summary>
public sealed class IpcScriptSession
{
    /// <summary>A session over a back end.</summary>
    public IpcScriptSession(IIpcBackend backend) => Backend = backend;

    /// <summary>The back end.</summary>
    public IIpcBackend Backend { get; }

    /// <summary>True when <paramref name="op"/> is an operation of the language (shmget, semop, setuid, ...).</summary>
    public static bool IsOperation(string op) => throw new NotImplementedException();

    /// <summary>Executes one line; null for a blank or comment-only line.</summary>
    public string? Execute(string line) => throw new NotImplementedException();
}

/// <summary>Runs whole scripts.</summary>
public static class ScriptRunner
{
    /// <summary>Runs every line of <paramref name="input"/>, writing one result line each; returns the exit code.</summary>
    public static int Run(TextReader input, TextWriter output, IIpcBackend backend) => throw new NotImplementedException();
}
