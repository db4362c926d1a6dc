using System.Runtime.InteropServices;

namespace Prison.Benchmarks.Infrastructure;

/// <summary>struct sembuf as libc lays it out: unsigned short sem_num, short sem_op, short sem_flg.</summary>
[StructLayout(LayoutKind.Sequential)]
internal readonly struct LinuxSemBuf(ushort num, short op, short flg)
{
    public readonly ushort Num = num;
    public readonly short Op = op;
    public readonly short Flg = flg;
}
