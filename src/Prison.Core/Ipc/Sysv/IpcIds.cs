namespace Prison.Core.Ipc.Sysv;

/// <summary>
/// System V IPC ids, FreeBSD's <c>IXSEQ_TO_IPCID</c>: <c>(seq &lt;&lt; 16) | index</c>. The sequence of a
/// table slot is bumped (mod 0x8000) each time the slot is reused, so a stale id never reaches the new
/// object; ids are global across jails, which is how the host can <c>ipcrm</c> any jail's object.
/// </summary>
public static class IpcIds
{
    /// <summary>Makes an id.</summary>
    public static int Make(int index, ushort seq) => (seq << 16) | (index & 0xffff);

    /// <summary>The table index of an id.</summary>
    public static int IndexOf(int id) => id & 0xffff;

    /// <summary>The sequence number of an id.</summary>
    public static ushort SeqOf(int id) => (ushort)((id >> 16) & 0xffff);

    /// <summary>The next sequence for a slot being reused.</summary>
    public static ushort NextSeq(ushort seq) => (ushort)((seq + 1) & 0x7fff);
}
