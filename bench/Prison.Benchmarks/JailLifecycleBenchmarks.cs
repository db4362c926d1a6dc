using BenchmarkDotNet.Attributes;
using Prison.Core;
using Prison.Core.Jails;
using Prison.Core.Services;

namespace Prison.Benchmarks;

/// <summary>jail_set(CREATE) + jail_remove with 0 and 4 services registered.</summary>
[MemoryDiagnoser]
public class JailLifecycleBenchmarks
{
    private Kernel _kernel = null!;
    private readonly JailParams _params = new() { ["persist"] = null };

    [Params(0, 4)]
    public int Services { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _kernel = new Kernel();
        for (var i = 0; i < Services; i++)
            _kernel.Services.Register(new JailServiceDefinition<object> { Name = "svc" + i, Create = (_, _) => new object(), Destroy = (_, _) => { } });
    }

    [GlobalCleanup]
    public void Cleanup() => _kernel.Dispose();

    [Benchmark]
    public void CreateAndRemove()
    {
        var jid = _kernel.Syscalls.JailSet(_kernel.Init, _params, JailFlags.Create).Value;
        _kernel.Syscalls.JailRemove(_kernel.Init, jid);
    }
}
