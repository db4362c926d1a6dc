using Prison.Core.Ipc;
using Prison.IpcScript.Language;

namespace Prison.IpcScript;

/// <summary>The semaphore operations.</summary>
public sealed partial class IpcScriptSession
{
    private string SemGet(List<string> args)
    {
        if (args.Count != 3)
            return BadArgs;
        var problem = new LineProblem();
        var key = ArgParser.Key(problem, args[0]);
        var nsems = (int)ArgParser.Int(problem, args[1], int.MinValue, int.MaxValue);
        var flags = ArgParser.Flags(problem, args[2], Platform);
        return problem.Result ?? Result(Backend.SemGet(key, nsems, flags), id => Ref(_ids.Record(IpcKind.Sem, id)));
    }

    private string SemOp(List<string> args)
    {
        if (args.Count != 2)
            return BadArgs;
        var problem = new LineProblem();
        var id = _ids.Resolve(problem, args[0], IpcKind.Sem);
        var sops = ArgParser.Sops(problem, args[1], Platform);
        return problem.Result ?? Result(Backend.SemOp(id, sops));
    }

    private string SemCtl(List<string> args)
    {
        if (args.Count < 3)
            return BadArgs;
        var problem = new LineProblem();
        var id = _ids.Resolve(problem, args[0], IpcKind.Sem);
        var semnum = (int)ArgParser.Int(problem, args[1], int.MinValue, int.MaxValue);
        var sub = args[2];
        var rest = args.GetRange(3, args.Count - 3);
        if (RawCommand(problem, sub) is { } cmd)
            return RawControl(problem, rest, IpcKind.Sem, id, cmd, () => Backend.SemControl(id, semnum, cmd));
        if (problem.Found)
            return problem.Result!;
        var arity = sub switch
        {
            "GETVAL" or "GETNCNT" or "GETZCNT" or "GETPID" or "GETALL" or "IPC_STAT" or "IPC_RMID" => 0,
            "SETVAL" or "SETALL" => 1,
            "IPC_SET" => 3,
            _ => -1,
        };
        if (arity < 0)
            return "bad op";
        if (rest.Count != arity)
            return BadArgs;
        switch (sub)
        {
            case "GETVAL":
                return Result(Backend.SemGetCount(id, semnum, SemCountQuery.Value), v => Num(v));
            case "GETNCNT":
                return Result(Backend.SemGetCount(id, semnum, SemCountQuery.WaitingForIncrease), v => Num(v));
            case "GETZCNT":
                return Result(Backend.SemGetCount(id, semnum, SemCountQuery.WaitingForZero), v => Num(v));
            case "GETPID":
                return Result(Backend.SemGetPid(id, semnum), StatFormat.Pid);
            case "GETALL":
                return Result(Backend.SemGetAll(id, semnum), values => string.Join(',', values.Select(v => Num(v))));
            case "IPC_STAT":
                return Result(Backend.SemStat(id, semnum), StatFormat.Sem);
            case "IPC_RMID":
                var removed = Backend.SemRemove(id, semnum);
                if (removed.Ok)
                    _ids.MarkRemoved(IpcKind.Sem, id);
                return Result(removed);
            case "SETVAL":
                var value = (int)ArgParser.Int(problem, rest[0], int.MinValue, int.MaxValue);
                return problem.Result ?? Result(Backend.SemSetValue(id, semnum, value));
            case "SETALL":
                var values = ArgParser.List(problem, rest[0]);
                if (problem.Found)
                    return problem.Result!;
                if (Backend.PeekSem(id) is { } set && (ulong)values.Length != set.Nsems)
                    return "bad count";
                return Result(Backend.SemSetAll(id, semnum, values));
            default:
                var (uid, gid, mode) = (ArgParser.Ugid(problem, rest[0]), ArgParser.Ugid(problem, rest[1]), ArgParser.Mode(problem, rest[2]));
                if (problem.Found)
                    return problem.Result!;
                var current = uid is null || gid is null || mode is null ? Backend.PeekSem(id)?.Perm : null;
                return Result(Backend.SemSet(id, semnum, uid ?? current?.Uid ?? 0, gid ?? current?.Gid ?? 0, mode ?? (current?.Mode ?? 0) & 0x1FF));
        }
    }
}
