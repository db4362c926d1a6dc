using Prison.Core.Ipc;
using Prison.IpcScript.Language;

namespace Prison.IpcScript;

/// <summary>The message queue operations.</summary>
public sealed partial class IpcScriptSession
{
    private string MsgGet(List<string> args)
    {
        if (args.Count != 2)
            return BadArgs;
        var problem = new LineProblem();
        var key = ArgParser.Key(problem, args[0]);
        var flags = ArgParser.Flags(problem, args[1], Platform);
        return problem.Result ?? Result(Backend.MsgGet(key, flags), id => Ref(_ids.Record(IpcKind.Msg, id)));
    }

    private string MsgSnd(List<string> args)
    {
        if (args.Count is not (4 or 5))
            return BadArgs;
        var problem = new LineProblem();
        var id = _ids.Resolve(problem, args[0], IpcKind.Msg);
        var type = ArgParser.Int(problem, args[1]);
        var text = ArgParser.Text(problem, args[2]);
        var flags = ArgParser.Flags(problem, args[3], Platform);
        var body = text;
        var msgsz = (ulong)text.Length;
        if (args.Count == 5)
        {
            var size = ArgParser.Int(problem, args[4]);
            if (size > ArgParser.MaxTransfer)
                problem.Bad("size");
            if (problem.Found)
                return problem.Result!;
            msgsz = unchecked((ulong)size);
            if (size >= 0)
                body = Repeat(text, (int)size);
        }
        return problem.Result ?? Result(Backend.MsgSnd(id, type, body, msgsz, flags));
    }

    /// <summary><paramref name="text"/> repeated cyclically to <paramref name="size"/> bytes (NULs when empty).</summary>
    private static byte[] Repeat(byte[] text, int size)
    {
        var body = new byte[size];
        if (text.Length > 0)
        {
            for (var i = 0; i < size; i++)
                body[i] = text[i % text.Length];
        }
        return body;
    }

    private string MsgRcv(List<string> args)
    {
        if (args.Count != 4)
            return BadArgs;
        var problem = new LineProblem();
        var id = _ids.Resolve(problem, args[0], IpcKind.Msg);
        var maxsize = ArgParser.Int(problem, args[1]);
        if (maxsize > ArgParser.MaxTransfer)
            problem.Bad("size");
        var msgtyp = ArgParser.Int(problem, args[2]);
        var flags = ArgParser.Flags(problem, args[3], Platform);
        if (problem.Found)
            return problem.Result!;
        var received = Backend.MsgRcv(id, unchecked((ulong)maxsize), (int)Math.Max(0, maxsize), msgtyp, flags);
        return Result(received, m => $"{Num(m.Length)} {Num(m.Type)} {IpcText.Encode(m.Text)}");
    }

    private string MsgCtl(List<string> args)
    {
        if (args.Count < 2)
            return BadArgs;
        var problem = new LineProblem();
        var id = _ids.Resolve(problem, args[0], IpcKind.Msg);
        var sub = args[1];
        var rest = args.GetRange(2, args.Count - 2);
        if (RawCommand(problem, sub) is { } cmd)
            return RawControl(problem, rest, IpcKind.Msg, id, cmd, () => Backend.MsgControl(id, cmd));
        if (problem.Found)
            return problem.Result!;
        switch (sub)
        {
            case "IPC_STAT":
                return rest.Count != 0 ? BadArgs : Result(Backend.MsgStat(id), StatFormat.Msg);
            case "IPC_RMID":
                if (rest.Count != 0)
                    return BadArgs;
                var removed = Backend.MsgRemove(id);
                if (removed.Ok)
                    _ids.MarkRemoved(IpcKind.Msg, id);
                return Result(removed);
            case "IPC_SET":
                if (rest.Count is not (3 or 4))
                    return BadArgs;
                var (uid, gid, mode) = (ArgParser.Ugid(problem, rest[0]), ArgParser.Ugid(problem, rest[1]), ArgParser.Mode(problem, rest[2]));
                ulong? qbytes = rest.Count == 4 && rest[3] != "-" ? (ulong)ArgParser.Int(problem, rest[3], 0) : null;
                if (problem.Found)
                    return problem.Result!;
                var current = uid is null || gid is null || mode is null || qbytes is null ? Backend.PeekMsg(id) : null;
                return Result(Backend.MsgSet(id, uid ?? current?.Perm.Uid ?? 0, gid ?? current?.Perm.Gid ?? 0,
                    mode ?? (current?.Perm.Mode ?? 0) & 0x1FF, qbytes ?? current?.Qbytes ?? 0));
            default:
                return "bad op";
        }
    }
}
