using System.Globalization;
using Prison.Core.Ipc;
using Prison.IpcScript.Language;

namespace Prison.IpcScript;

/// <summary>
/// One IPC script session (docs/ipc-script-language.md): parses lines, keeps the <c>$N</c> / <c>@N</c>
/// bookkeeping, calls the back end and produces exactly one result line per executed line.
/// </summary>
public sealed partial class IpcScriptSession
{
    private const string BadArgs = "bad args";

    private static readonly HashSet<string> Operations =
    [
        "shmget", "shmat", "shmdt", "shmctl", "shmwrite", "shmread",
        "semget", "semop", "semctl",
        "msgget", "msgsnd", "msgrcv", "msgctl",
        "setuid", "setgid", "limit",
    ];

    private readonly IdReferences _ids;
    private readonly Attachments _attachments = new();

    /// <summary>A session over a back end.</summary>
    public IpcScriptSession(IIpcBackend backend)
        : this(backend, new IdReferences())
    {
    }

    private IpcScriptSession(IIpcBackend backend, IdReferences ids)
    {
        ArgumentNullException.ThrowIfNull(backend);
        Backend = backend;
        _ids = ids;
    }

    /// <summary>
    /// A session for another process of the same program (the shell's background jobs): it shares this
    /// session's <c>$N</c> references, safely from another thread, and starts with no attachments of
    /// its own (<c>@N</c> gives <c>bad ref</c> until it attaches).
    /// </summary>
    public IpcScriptSession Sibling(IIpcBackend backend) => new(backend, _ids);

    /// <summary>True when <paramref name="result"/> (a result line) reports a script error: <c>bad ...</c>.</summary>
    public static bool IsBad(string result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return result.StartsWith("bad ", StringComparison.Ordinal);
    }

    /// <summary>The back end.</summary>
    public IIpcBackend Backend { get; }

    private IpcPlatform Platform => Backend.Platform;

    /// <summary>True when <paramref name="op"/> is an operation of the language (shmget, semop, setuid, ...).</summary>
    public static bool IsOperation(string op) => Operations.Contains(op);

    /// <summary>Executes one line; null for a blank or comment-only line, else exactly one result line.</summary>
    public string? Execute(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var tokens = Tokenizer.Split(line);
        if (tokens.Count == 0)
            return null;
        if (tokens.Count > Tokenizer.MaxTokens)
            return BadArgs;
        var args = tokens.GetRange(1, tokens.Count - 1);
        return tokens[0] switch
        {
            "shmget" => ShmGet(args),
            "shmat" => ShmAt(args),
            "shmdt" => ShmDt(args),
            "shmctl" => ShmCtl(args),
            "shmwrite" => ShmWrite(args),
            "shmread" => ShmRead(args),
            "semget" => SemGet(args),
            "semop" => SemOp(args),
            "semctl" => SemCtl(args),
            "msgget" => MsgGet(args),
            "msgsnd" => MsgSnd(args),
            "msgrcv" => MsgRcv(args),
            "msgctl" => MsgCtl(args),
            "setuid" => SetUid(args),
            "setgid" => SetGid(args),
            "limit" => Limit(args),
            _ => "bad op",
        };
    }

    private static string Result(IpcResult r, string? payload = null) => r.Outcome switch
    {
        IpcOutcome.Ok => payload is null ? "ok" : "ok " + payload,
        IpcOutcome.WouldBlock => "skip blocking",
        _ => "err " + r.ErrorName,
    };

    private static string Result<T>(IpcResult<T> r, Func<T, string> payload) =>
        r.Ok ? Result(r.Status, payload(r.Value)) : Result(r.Status);

    private static string Num(long value) => value.ToString(CultureInfo.InvariantCulture);

    private string Ref(int n) => "$" + Num(n);

    /// <summary>
    /// A ctl call with a raw INT command (spec section 4: a zeroed buffer, the return value printed). A
    /// raw IPC_RMID that succeeds marks the reference removed, as the textual one does.
    /// </summary>
    private string RawControl(LineProblem problem, List<string> rest, IpcKind kind, int id, int cmd, Func<IpcResult<int>> control)
    {
        if (problem.Found)
            return problem.Result!;
        if (rest.Count != 0)
            return BadArgs;
        var raw = control();
        if (raw.Ok && cmd == IpcConstants.IPC_RMID)
            _ids.MarkRemoved(kind, id);
        return Result(raw, v => Num(v));
    }

    /// <summary>The raw command number of a ctl sub-command token, or null when the token is textual.</summary>
    private static int? RawCommand(LineProblem problem, string sub) =>
        ArgParser.IsIntSyntax(sub) ? (int)ArgParser.Int(problem, sub, int.MinValue, int.MaxValue) : null;

    private string SetUid(List<string> args)
    {
        if (args.Count != 1)
            return BadArgs;
        var problem = new LineProblem();
        var uid = (uint)ArgParser.Int(problem, args[0], 0, uint.MaxValue - 1L);
        return problem.Result ?? Result(Backend.SetUid(uid));
    }

    private string SetGid(List<string> args)
    {
        if (args.Count != 1)
            return BadArgs;
        var problem = new LineProblem();
        var gid = (uint)ArgParser.Int(problem, args[0], 0, uint.MaxValue - 1L);
        return problem.Result ?? Result(Backend.SetGid(gid));
    }

    private string Limit(List<string> args)
    {
        if (args.Count != 2)
            return BadArgs;
        var problem = new LineProblem();
        if (!IpcLimits.Names.Contains(args[0]))
            problem.Bad("limit");
        var value = ArgParser.Int(problem, args[1]);
        return problem.Result ?? Result(Backend.SetLimit(args[0], value));
    }
}
