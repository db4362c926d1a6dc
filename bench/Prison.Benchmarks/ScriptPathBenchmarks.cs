using System.Runtime.Versioning;
using BenchmarkDotNet.Attributes;
using Prison.Benchmarks.Infrastructure;
using Prison.Core;
using Prison.Core.Ipc;
using Prison.Core.Procs;
using Prison.IpcScript;
using Prison.IpcScript.Language;
using Prison.IpcScript.Linux;
using static Prison.Core.Ipc.IpcConstants;

namespace Prison.Benchmarks;

/// <summary>
/// One line of the semop script (<c>semop $0 0:1:0</c> / <c>semop $0 0:-1:0</c>, alternating), split into
/// its parts so each can be read on its own: parsing (tokens and the sops argument), the call through
/// the back end, writing the result line, and the whole line through the session. Baseline: the whole
/// line through the same session on the Linux back end (the oracle's path) in a private IPC namespace.
/// The whole-process comparison with startup (prison ipc-script, the oracle and a C program on 400,000
/// lines) is bench/script/run.sh.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(KernelIpcConfig))]
[SupportedOSPlatform("linux")]
public class ScriptPathBenchmarks
{
    private const string Up = "semop $0 0:1:0";
    private const string Down = "semop $0 0:-1:0";
    private static readonly SemBuf[] UpOps = [new(0, 1, 0)];
    private static readonly SemBuf[] DownOps = [new(0, -1, 0)];
    private Kernel? _kernel;
    private Proc? _proc;
    private IIpcBackend? _backend;
    private IpcScriptSession? _session;
    private StreamWriter _output = StreamWriter.Null;
    private int _id;

    [GlobalSetup(Targets = [nameof(PrisonParse), nameof(PrisonCall), nameof(PrisonOutput), nameof(PrisonLine)])]
    public void SetupPrison()
    {
        _kernel = new Kernel(new KernelOptions { ModulePath = PluginFolder.Path });
        if (!_kernel.Modules.Load(_kernel.Init.Cred, "sysvsem").Ok)
            throw new InvalidOperationException("kldload sysvsem failed");
        _proc = _kernel.Processes.Fork(_kernel.Init, "ipc-script").Value;
        _backend = new PrisonBackend(_kernel.Syscalls, _proc);
        Start();
    }

    [GlobalSetup(Target = nameof(LinuxLine))]
    public void SetupKernel()
    {
        PrivateIpcNamespace.Enter();
        _backend = new LinuxBackend();
        Start();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _output.Dispose();
        _kernel?.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = 2)]
    [KernelBaseline]
    public void LinuxLine() => Lines();

    /// <summary>The whole line: tokens, arguments, the call, the result text and its output.</summary>
    [Benchmark(OperationsPerInvoke = 2)]
    public void PrisonLine() => Lines();

    /// <summary>Parsing only: the tokenizer and the sops argument.</summary>
    [Benchmark(OperationsPerInvoke = 2)]
    public int PrisonParse()
    {
        var problem = new LineProblem();
        var a = ArgParser.Sops(problem, Tokenizer.Split(Up)[2], IpcPlatform.FreeBsd);
        var b = ArgParser.Sops(problem, Tokenizer.Split(Down)[2], IpcPlatform.FreeBsd);
        return a.Length + b.Length;
    }

    /// <summary>The call only: the back end's semop into the kernel.</summary>
    [Benchmark(OperationsPerInvoke = 2)]
    public bool PrisonCall() => _backend!.SemOp(_id, UpOps).Ok & _backend.SemOp(_id, DownOps).Ok;

    /// <summary>Output only: one result line written to a buffered writer.</summary>
    [Benchmark(OperationsPerInvoke = 2)]
    public void PrisonOutput()
    {
        _output.WriteLine("ok");
        _output.WriteLine("ok");
    }

    private void Start()
    {
        _output = new StreamWriter(Stream.Null);
        _session = new IpcScriptSession(_backend!);
        if (_session.Execute("semget IPC_PRIVATE 1 0600") != "ok $0")
            throw new InvalidOperationException("semget failed");
        // A set of its own for the call-only row (the session keeps its ids to itself).
        var made = _backend!.SemGet(IPC_PRIVATE, 1, 0x180);
        _id = made.Ok ? made.Value : throw new InvalidOperationException("semget failed");
    }

    private void Lines()
    {
        _output.WriteLine(_session!.Execute(Up));
        _output.WriteLine(_session.Execute(Down));
    }
}
