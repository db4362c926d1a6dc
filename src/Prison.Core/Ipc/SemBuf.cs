namespace Prison.Core.Ipc;

/// <summary>One <c>struct sembuf</c>.</summary>
/// <param name="Num">Semaphore number.</param>
/// <param name="Op">Operation: &gt;0 add, &lt;0 subtract (waiting if needed), 0 wait for zero.</param>
/// <param name="Flg">IPC_NOWAIT, SEM_UNDO.</param>
public readonly record struct SemBuf(ushort Num, short Op, short Flg);
