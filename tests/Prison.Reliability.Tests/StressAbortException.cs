namespace Prison.Reliability.Tests;

/// <summary>Stops one stress thread after it recorded a failure (an exception escaped a syscall).</summary>
internal sealed class StressAbortException(string message) : Exception(message)
{
    public StressAbortException() : this("stress thread aborted") { }

    public StressAbortException(string message, Exception inner) : this(message + ": " + inner.Message) { }
}
