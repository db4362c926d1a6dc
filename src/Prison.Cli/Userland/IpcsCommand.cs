using System.Globalization;
using System.Text;
using System.Text.Json;
using Prison.Cli.Shell;
using Prison.Core.Ipc;
using Prison.Core.Jails;

namespace Prison.Cli.Userland;

/// <summary>
/// ipcs(1): lists System V IPC objects from <c>kern.ipc.msqids</c>, <c>kern.ipc.shmsegs</c> and
/// <c>kern.ipc.sema</c>, as the caller's jail sees them, in FreeBSD's layout. Owners are named from the
/// caller's jail's passwd; uids it cannot name print as numbers.
/// </summary>
internal static class IpcsCommand
{
    // Padded like the rows (%-8s), so extra columns line up; trailing blanks are trimmed.
    private const string Header = "T           ID          KEY MODE        OWNER    GROUP   ";

    public static int Run(CommandContext context)
    {
        var options = Getopt.Parse(context.Args, "abcmopqstj:R", allowJson: true, out var error);
        if (options is null)
            return context.BadOption(error!);
        if (options.Operands.Count > 0 || (options.Has('R') && !options.Has('j')))
            return context.Usage();
        var a = options.Has('a');
        var columns = new Columns(a || options.Has('b'), a || options.Has('c'), a || options.Has('o'), a || options.Has('p'), a || options.Has('t'));
        var showQ = options.Has('q');
        var showM = options.Has('m');
        var showS = options.Has('s');
        if (!showQ && !showM && !showS)
            showQ = showM = showS = true;

        HashSet<int>? creators = null;
        if (options.Value('j') is { } jail)
        {
            var found = CreatorFilter(context, jail, options.Has('R'));
            if (found is null)
                return context.Fail($"jail \"{CommandLineParser.Printable(jail)}\" not found");
            creators = found;
        }

        var json = options.Json ? new Dictionary<string, object>() : null;
        if (showQ)
            Section(context, "kern.ipc.msqids", "Message Queues", "SVID messages facility not configured in the system",
                (IReadOnlyList<MsgQueueInfo> l) => l.Where(x => creators is null || creators.Contains(x.CreatorJid)).Select(x => MsgRow(context, x, columns)).ToArray(),
                MsgHeader(columns), json, "messageQueues", l => l.Where(x => creators is null || creators.Contains(x.CreatorJid)).ToArray());
        if (showM)
            Section(context, "kern.ipc.shmsegs", "Shared Memory", "SVID shared memory facility not configured in the system",
                (IReadOnlyList<ShmSegmentInfo> l) => l.Where(x => creators is null || creators.Contains(x.CreatorJid)).Select(x => ShmRow(context, x, columns)).ToArray(),
                ShmHeader(columns), json, "sharedMemory", l => l.Where(x => creators is null || creators.Contains(x.CreatorJid)).ToArray());
        if (showS)
            Section(context, "kern.ipc.sema", "Semaphores", "SVID semaphores facility not configured in the system",
                (IReadOnlyList<SemSetInfo> l) => l.Where(x => creators is null || creators.Contains(x.CreatorJid)).Select(x => SemRow(context, x, columns)).ToArray(),
                SemHeader(columns), json, "semaphores", l => l.Where(x => creators is null || creators.Contains(x.CreatorJid)).ToArray());
        if (json is not null)
            context.Out.WriteLine(JsonSerializer.Serialize(json, JsonOutput.Options));
        return 0;
    }

    private sealed record Columns(bool Biggest, bool Creator, bool Outstanding, bool Pid, bool Time);

    private static void Section<T>(CommandContext context, string oid, string title, string notConfigured,
        Func<IReadOnlyList<T>, string[]> rows, string header, Dictionary<string, object>? json, string jsonName,
        Func<IReadOnlyList<T>, T[]> filter)
    {
        var read = context.Syscalls.Sysctl(context.Proc, oid);
        if (!read.Ok || read.Value is not IReadOnlyList<T> list)
        {
            // ipcs(1) reports a facility whose module is not loaded on stderr and goes on.
            context.Err.WriteLine(notConfigured);
            return;
        }
        if (json is not null)
        {
            json[jsonName] = filter(list);
            return;
        }
        context.Out.WriteLine(title + ":");
        context.Out.WriteLine(header);
        foreach (var row in rows(list))
            context.Out.WriteLine(row);
        context.Out.WriteLine();
    }

    private static string MsgHeader(Columns c)
    {
        var sb = new StringBuilder(Header);
        if (c.Creator)
            sb.Append(CultureInfo.InvariantCulture, $" {"CREATOR",-8} {"CGROUP",-8}");
        if (c.Outstanding)
            sb.Append(CultureInfo.InvariantCulture, $" {"CBYTES",6} {"QNUM",6}");
        if (c.Biggest)
            sb.Append(CultureInfo.InvariantCulture, $" {"QBYTES",6}");
        if (c.Pid)
            sb.Append(CultureInfo.InvariantCulture, $" {"LSPID",6} {"LRPID",6}");
        if (c.Time)
            sb.Append(CultureInfo.InvariantCulture, $" {"STIME",-8} {"RTIME",-8} {"CTIME",-8}");
        return sb.ToString().TrimEnd();
    }

    private static string ShmHeader(Columns c)
    {
        var sb = new StringBuilder(Header);
        if (c.Creator)
            sb.Append(CultureInfo.InvariantCulture, $" {"CREATOR",-8} {"CGROUP",-8}");
        if (c.Outstanding)
            sb.Append(CultureInfo.InvariantCulture, $" {"NATTCH",6}");
        if (c.Biggest)
            sb.Append(CultureInfo.InvariantCulture, $" {"SEGSZ",12}");
        if (c.Pid)
            sb.Append(CultureInfo.InvariantCulture, $" {"CPID",6} {"LPID",6}");
        if (c.Time)
            sb.Append(CultureInfo.InvariantCulture, $" {"ATIME",-8} {"DTIME",-8} {"CTIME",-8}");
        return sb.ToString().TrimEnd();
    }

    private static string SemHeader(Columns c)
    {
        var sb = new StringBuilder(Header);
        if (c.Creator)
            sb.Append(CultureInfo.InvariantCulture, $" {"CREATOR",-8} {"CGROUP",-8}");
        if (c.Biggest)
            sb.Append(CultureInfo.InvariantCulture, $" {"NSEMS",6}");
        if (c.Time)
            sb.Append(CultureInfo.InvariantCulture, $" {"OTIME",-8} {"CTIME",-8}");
        return sb.ToString().TrimEnd();
    }

    private static string MsgRow(CommandContext context, MsgQueueInfo q, Columns c)
    {
        var sb = Common(context, 'q', q.Id, q.Ds.Perm);
        if (c.Creator)
            AppendCreator(context, sb, q.Ds.Perm);
        if (c.Outstanding)
            sb.Append(CultureInfo.InvariantCulture, $" {q.Ds.Cbytes,6} {q.Ds.Qnum,6}");
        if (c.Biggest)
            sb.Append(CultureInfo.InvariantCulture, $" {q.Ds.Qbytes,6}");
        if (c.Pid)
            sb.Append(CultureInfo.InvariantCulture, $" {q.Ds.Lspid,6} {q.Ds.Lrpid,6}");
        if (c.Time)
            sb.Append(CultureInfo.InvariantCulture, $" {Time(q.Ds.Stime),-8} {Time(q.Ds.Rtime),-8} {Time(q.Ds.Ctime),-8}");
        return sb.ToString().TrimEnd();
    }

    private static string ShmRow(CommandContext context, ShmSegmentInfo s, Columns c)
    {
        var sb = Common(context, 'm', s.Id, s.Ds.Perm);
        if (c.Creator)
            AppendCreator(context, sb, s.Ds.Perm);
        if (c.Outstanding)
            sb.Append(CultureInfo.InvariantCulture, $" {s.Ds.Nattch,6}");
        if (c.Biggest)
            sb.Append(CultureInfo.InvariantCulture, $" {s.Ds.Segsz,12}");
        if (c.Pid)
            sb.Append(CultureInfo.InvariantCulture, $" {s.Ds.Cpid,6} {s.Ds.Lpid,6}");
        if (c.Time)
            sb.Append(CultureInfo.InvariantCulture, $" {Time(s.Ds.Atime),-8} {Time(s.Ds.Dtime),-8} {Time(s.Ds.Ctime),-8}");
        return sb.ToString().TrimEnd();
    }

    private static string SemRow(CommandContext context, SemSetInfo s, Columns c)
    {
        var sb = Common(context, 's', s.Id, s.Ds.Perm);
        if (c.Creator)
            AppendCreator(context, sb, s.Ds.Perm);
        if (c.Biggest)
            sb.Append(CultureInfo.InvariantCulture, $" {s.Ds.Nsems,6}");
        if (c.Time)
            sb.Append(CultureInfo.InvariantCulture, $" {Time(s.Ds.Otime),-8} {Time(s.Ds.Ctime),-8}");
        return sb.ToString().TrimEnd();
    }

    private static StringBuilder Common(CommandContext context, char type, int id, IpcPerm perm)
    {
        var users = context.Shell.Users;
        var jail = context.Proc.Jail;
        return new StringBuilder().Append(CultureInfo.InvariantCulture,
            $"{type} {id,12} {perm.Key,12} {Mode(perm.Mode)} {users.UserName(jail, perm.Uid),-8} {users.GroupName(jail, perm.Gid),-8}");
    }

    private static void AppendCreator(CommandContext context, StringBuilder sb, IpcPerm perm)
    {
        var users = context.Shell.Users;
        var jail = context.Proc.Jail;
        sb.Append(CultureInfo.InvariantCulture, $" {users.UserName(jail, perm.Cuid),-8} {users.GroupName(jail, perm.Cgid),-8}");
    }

    /// <summary>FreeBSD's fmt_perm: two flag characters, then rwa for owner, group, other.</summary>
    internal static string Mode(int mode)
    {
        Span<char> b = stackalloc char[11];
        b[0] = '-';
        b[1] = '-';
        var bits = "rwa";
        for (var i = 0; i < 9; i++)
            b[2 + i] = (mode & (0x100 >> i)) != 0 ? bits[i % 3] : '-';
        return new string(b);
    }

    private static string Time(long unixSeconds) =>
        unixSeconds == 0 ? "no-entry" : DateTimeOffset.FromUnixTimeSeconds(unixSeconds).ToLocalTime().ToString("H:mm:ss", CultureInfo.InvariantCulture);

    /// <summary>The creator jids to show for <c>-j JAIL</c> (and its descendants with <c>-R</c>).</summary>
    private static HashSet<int>? CreatorFilter(CommandContext context, string jail, bool recursive)
    {
        var found = JailQueries.Get(context, jail, ["jid"], dying: true);
        if (!found.Ok)
            return null;
        var jid = int.Parse(found.Value["jid"]!, CultureInfo.InvariantCulture);
        var result = new HashSet<int> { jid };
        if (!recursive)
            return result;
        var all = JailQueries.List(context, ["jid", "parent"], dying: true)
            .Select(p => (Jid: int.Parse(p["jid"]!, CultureInfo.InvariantCulture), Parent: int.Parse(p["parent"]!, CultureInfo.InvariantCulture)))
            .ToArray();
        bool grew;
        do
        {
            grew = false;
            foreach (var (child, parent) in all)
            {
                if (result.Contains(parent) && result.Add(child))
                    grew = true;
            }
        }
        while (grew);
        return result;
    }
}
