namespace Prison.Core.Ipc;

/// <summary>A semaphore set as listed by <c>kern.ipc.sema</c>.</summary>
public sealed record SemSetInfo(int Id, SemidDs Ds, int CreatorJid);
