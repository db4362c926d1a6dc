namespace Prison.Core.Ipc;

/// <summary>FreeBSD's <c>struct ipc_perm</c>: owner, creator, mode, sequence and key.</summary>
/// <param name="Cuid">Creator's uid.</param>
/// <param name="Cgid">Creator's gid.</param>
/// <param name="Uid">Owner's uid.</param>
/// <param name="Gid">Owner's gid.</param>
/// <param name="Mode">Permission bits (low 9 bits meaningful).</param>
/// <param name="Seq">Slot sequence number (part of the id).</param>
/// <param name="Key">The key (0 for IPC_PRIVATE, and as shown to viewers outside the object's namespace).</param>
public readonly record struct IpcPerm(uint Cuid, uint Cgid, uint Uid, uint Gid, int Mode, ushort Seq, int Key);
