namespace Prison.IpcScript;

/// <summary>A received message.</summary>
/// <param name="Length">msgrcv's return value.</param>
/// <param name="Type">The message type.</param>
/// <param name="Text">The first <paramref name="Length"/> bytes of the text.</param>
public sealed record MsgReceived(int Length, long Type, byte[] Text);
