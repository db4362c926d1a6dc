namespace Prison.Plugins.SysvMsg;

/// <summary>One message in a queue: its type, its bytes (kept exactly) and what it was charged.</summary>
/// <param name="Type">The mtype (at least 1).</param>
/// <param name="Body">The text, byte for byte.</param>
/// <param name="Segments">The segments charged when it was sent (msgssz may change later).</param>
internal sealed record QueuedMessage(long Type, byte[] Body, int Segments)
{
    /// <summary>The text size in bytes (msg_ts).</summary>
    public ulong Size => (ulong)Body.Length;
}
