namespace Prison.Core.Ipc;

/// <summary>The <c>semctl</c> argument (<c>union semun</c>).</summary>
public sealed class SemUn
{
    /// <summary>SETVAL's value.</summary>
    public int Val { get; set; }

    /// <summary>GETALL's output / SETALL's input.</summary>
    public ushort[]? Array { get; set; }

    /// <summary>IPC_STAT's output / IPC_SET's input.</summary>
    public SemidDs Buf { get; set; }
}
