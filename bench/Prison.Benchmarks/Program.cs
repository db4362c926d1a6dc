using BenchmarkDotNet.Running;
using Prison.Benchmarks.Infrastructure;

// dotnet run -c Release --project bench/Prison.Benchmarks -- --filter '*Slot*'
// With "--pong ID" this assembly is the second process of PingPongBenchmarks' Linux baseline.
if (OperatingSystem.IsLinux() && args is [PongChild.Flag, _])
    return PongChild.Run(args);
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;

/// <summary>Entry point type (BenchmarkDotNet finds the benchmark classes in this assembly).</summary>
public partial class Program;
