namespace Prison.Core.Ipc;

/// <summary>A segment as listed by <c>kern.ipc.shmsegs</c> for one viewer.</summary>
/// <param name="Id">The shmid.</param>
/// <param name="Ds">The status; its key is 0 when the viewer is outside the segment's namespace.</param>
/// <param name="CreatorJid">The jid of the jail that created the segment.</param>
public sealed record ShmSegmentInfo(int Id, ShmidDs Ds, int CreatorJid);
