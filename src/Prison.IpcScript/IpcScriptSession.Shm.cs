using Prison.Core.Ipc;
using Prison.IpcScript.Language;

namespace Prison.IpcScript;

/// <summary>The shared memory operations.</summary>
public sealed partial class IpcScriptSession
{
    private string ShmGet(List<string> args)
    {
        if (args.Count != 3)
            return BadArgs;
        var problem = new LineProblem();
        var key = ArgParser.Key(problem, args[0]);
        var size = ArgParser.Size(problem, args[1]);
        var flags = ArgParser.Flags(problem, args[2], Platform);
        return problem.Result ?? Result(Backend.ShmGet(key, size, flags), id => Ref(_ids.Record(IpcKind.Shm, id)));
    }

    private string ShmAt(List<string> args)
    {
        if (args.Count is not (2 or 3))
            return BadArgs;
        var problem = new LineProblem();
        var id = _ids.Resolve(problem, args[0], IpcKind.Shm);
        var flags = ArgParser.Flags(problem, args[1], Platform);
        var readOnly = Platform.ShmRdonly != 0 && (flags & Platform.ShmRdonly) == Platform.ShmRdonly;
        if (args.Count == 2)
        {
            if (problem.Found)
                return problem.Result!;
            var plain = Backend.ShmAt(id, 0, flags, reusing: null);
            return Result(plain, address => "@" + Num(AddAttachment(id, address, readOnly)));
        }

        if (_attachments.Resolve(problem, args[2]) is not { } target)
            return problem.Result!;
        var (att, old) = target;
        if (old.State == AttachmentState.Live)
            problem.Bad("addr");
        if (problem.Found)
            return problem.Result!;
        var segsz = Backend.PeekShm(id)?.Segsz ?? Attachment.Page;
        var down = att.Offset - (att.Offset % (long)Attachment.Page);
        if (att.Offset < 0 || (ulong)down > old.MapLength || Attachment.RoundUp(segsz) > old.MapLength - (ulong)down)
            return "bad offset";
        var result = Backend.ShmAt(id, old.Address + (ulong)att.Offset, flags, old.Range);
        if (!result.Ok)
            return Result(result.Status);
        old.State = AttachmentState.Consumed;
        var m = AddAttachment(id, result.Value, readOnly);
        var actual = unchecked((long)(result.Value - old.Address));
        return Result(IpcResult.Success, $"@{Num(m)} @{Num(att.Index)}{(actual < 0 ? "-" : "+")}{Num(Math.Abs(actual))}");
    }

    private int AddAttachment(int shmid, ulong address, bool readOnly)
    {
        var segsz = Backend.PeekShm(shmid)?.Segsz ?? 0;
        return _attachments.Add(new Attachment(address, segsz, readOnly));
    }

    private string ShmDt(List<string> args)
    {
        if (args.Count != 1)
            return BadArgs;
        var problem = new LineProblem();
        if (_attachments.Resolve(problem, args[0]) is not { } target)
            return problem.Result!;
        var (att, attachment) = target;
        if (att.Offset < 0 || (ulong)att.Offset >= attachment.MapLength)
            return "bad offset";
        var result = Backend.ShmDt(attachment.Address + (ulong)att.Offset, attachment.Range);
        if (result.Ok && att.Offset == 0 && attachment.State == AttachmentState.Live)
            attachment.State = AttachmentState.Detached;
        return Result(result);
    }

    private string ShmCtl(List<string> args)
    {
        if (args.Count < 2)
            return BadArgs;
        var problem = new LineProblem();
        var id = _ids.Resolve(problem, args[0], IpcKind.Shm);
        var sub = args[1];
        var rest = args.GetRange(2, args.Count - 2);
        if (RawCommand(problem, sub) is { } cmd)
            return RawControl(problem, rest, IpcKind.Shm, id, cmd, () => Backend.ShmControl(id, cmd));
        if (problem.Found)
            return problem.Result!;
        switch (sub)
        {
            case "IPC_STAT":
                return rest.Count != 0 ? BadArgs : Result(Backend.ShmStat(id), StatFormat.Shm);
            case "IPC_RMID":
                if (rest.Count != 0)
                    return BadArgs;
                var removed = Backend.ShmRemove(id);
                if (removed.Ok)
                    _ids.MarkRemoved(IpcKind.Shm, id);
                return Result(removed);
            case "IPC_SET":
                if (rest.Count != 3)
                    return BadArgs;
                var (uid, gid, mode) = (ArgParser.Ugid(problem, rest[0]), ArgParser.Ugid(problem, rest[1]), ArgParser.Mode(problem, rest[2]));
                if (problem.Found)
                    return problem.Result!;
                var current = uid is null || gid is null || mode is null ? Backend.PeekShm(id)?.Perm : null;
                return Result(Backend.ShmSet(id, uid ?? current?.Uid ?? 0, gid ?? current?.Gid ?? 0, mode ?? (current?.Mode ?? 0) & 0x1FF));
            default:
                return "bad op";
        }
    }

    /// <summary>The ATT and OFFSET arguments of shmread and shmwrite: a plain <c>@N</c> and an offset of at least 0.</summary>
    private (Attachment? Attachment, long Offset) AccessArgs(LineProblem problem, string attToken, string offsetToken)
    {
        Attachment? attachment = null;
        if (_attachments.Resolve(problem, attToken) is { } target)
        {
            if (target.Ref.HasOffset)
                problem.Bad("ref");
            attachment = target.Attachment;
        }
        var offset = ArgParser.Int(problem, offsetToken);
        if (offset < 0)
            problem.Bad("offset");
        return (attachment, offset);
    }

    /// <summary>The size and range checks shmread and shmwrite share; null when the access may go ahead.</summary>
    private static string? CheckAccess(LineProblem problem, Attachment? attachment, long offset, long length)
    {
        if (length > ArgParser.MaxTransfer)
            problem.Bad("size");
        if (problem.Found)
            return problem.Result;
        if ((ulong)offset > attachment!.Segsz || (ulong)length > attachment.Segsz - (ulong)offset)
            return "skip range";
        return null;
    }

    private string ShmWrite(List<string> args)
    {
        if (args.Count != 3)
            return BadArgs;
        var problem = new LineProblem();
        var (attachment, offset) = AccessArgs(problem, args[0], args[1]);
        var text = ArgParser.Text(problem, args[2]);
        if (CheckAccess(problem, attachment, offset, text.Length) is { } early)
            return early;
        if (text.Length == 0)
            return "ok";
        // A detached range is reserved with no access and a read-only mapping refuses stores: the
        // runner knows both without touching memory.
        if (attachment!.State != AttachmentState.Live || attachment.ReadOnly)
            return "sig SIGSEGV";
        var fault = Backend.Write(attachment.Address + (ulong)offset, text);
        return fault == MemFault.None ? "ok" : "sig " + fault;
    }

    private string ShmRead(List<string> args)
    {
        if (args.Count != 3)
            return BadArgs;
        var problem = new LineProblem();
        var (attachment, offset) = AccessArgs(problem, args[0], args[1]);
        var length = ArgParser.Int(problem, args[2]);
        if (length < 0)
            problem.Bad("size");
        if (CheckAccess(problem, attachment, offset, length) is { } early)
            return early;
        if (length == 0)
            return "ok \"\"";
        if (attachment!.State != AttachmentState.Live)
            return "sig SIGSEGV";
        var buffer = new byte[length];
        var fault = Backend.Read(attachment.Address + (ulong)offset, buffer);
        return fault == MemFault.None ? "ok " + IpcText.Encode(buffer) : "sig " + fault;
    }
}
