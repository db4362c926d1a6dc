namespace Prison.Core.Ipc;

/// <summary>A message queue as listed by <c>kern.ipc.msqids</c>.</summary>
public sealed record MsgQueueInfo(int Id, MsqidDs Ds, int CreatorJid);
