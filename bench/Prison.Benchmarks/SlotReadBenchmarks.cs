using BenchmarkDotNet.Attributes;
using Prison.Core;
using Prison.Core.Jails;
using Prison.Core.Services;

namespace Prison.Benchmarks;

/// <summary>
/// A slot read (<c>slot.Get(jail)</c>) against the floor it should approach: reading one element of a
/// plain array held by an object. Target: at most 1.5x the baseline.
/// </summary>
[MemoryDiagnoser]
public class SlotReadBenchmarks
{
    private Kernel _kernel = null!;
    private ServiceSlot<object> _slot = null!;
    private Jail _jail = null!;
    private Holder _holder = null!;

    [GlobalSetup]
    public void Setup()
    {
        _kernel = new Kernel();
        for (var i = 0; i < 3; i++)
            _kernel.Services.Register(new JailServiceDefinition<object> { Name = "pad" + i, Create = (_, _) => new object() });
        _slot = _kernel.Services.Register(new JailServiceDefinition<object> { Name = "svc", Create = (_, _) => new object() });
        var jid = _kernel.Syscalls.JailSet(_kernel.Init, new JailParams { ["name"] = "b", ["persist"] = null }, JailFlags.Create).Value;
        _jail = _kernel.Jails.Find(jid)!;
        _holder = new Holder { Values = [new object(), new object(), new object(), new object()] };
    }

    [GlobalCleanup]
    public void Cleanup() => _kernel.Dispose();

    [Benchmark(Baseline = true)]
    public object? PlainArrayElement() => _holder.Values[3];

    [Benchmark]
    public object? SlotGet() => _slot.Get(_jail);

    private sealed class Holder
    {
        public object?[] Values = [];
    }
}
