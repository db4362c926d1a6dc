using System.Globalization;

namespace Prison.IpcScript.Language;

/// <summary>The stat payloads of spec section 8.</summary>
internal static class StatFormat
{
    public static string Shm(ShmStat s) =>
        $"{Perm(s.Perm)} dest={(s.Dest ? 1 : 0)} segsz={U(s.Segsz)} nattch={U(s.Nattch)} cpid={Pid(s.Cpid)} lpid={Pid(s.Lpid)} atime={Time(s.Atime)} dtime={Time(s.Dtime)} ctime={Time(s.Ctime)}";

    public static string Sem(SemStat s) =>
        $"{Perm(s.Perm)} nsems={U(s.Nsems)} otime={Time(s.Otime)} ctime={Time(s.Ctime)}";

    public static string Msg(MsgStat s) =>
        $"{Perm(s.Perm)} qnum={U(s.Qnum)} qbytes={U(s.Qbytes)} cbytes={U(s.Cbytes)} lspid={Pid(s.Lspid)} lrpid={Pid(s.Lrpid)} stime={Time(s.Stime)} rtime={Time(s.Rtime)} ctime={Time(s.Ctime)}";

    public static string Pid(PidClass pid) => pid switch
    {
        PidClass.Self => "self",
        PidClass.Other => "other",
        _ => "0",
    };

    private static string Perm(IpcPermStat p) =>
        $"key={p.Key.ToString(CultureInfo.InvariantCulture)} uid={U(p.Uid)} gid={U(p.Gid)} cuid={U(p.Cuid)} cgid={U(p.Cgid)} mode=0{Convert.ToString(p.Mode & 0x1FF, 8).PadLeft(3, '0')}";

    private static string U(ulong value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Time(bool set) => set ? "set" : "0";
}
