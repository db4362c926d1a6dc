using BenchmarkDotNet.Running;
using Prison.Benchmarks.Infrastructure;

// dotnet run -c Release --project bench/Prison.Benchmarks -- --filter '*Slot*' --job short
// With "--pong ID" this assembly is the second process of PingPongBenchmarks' Linux baseline.
if (OperatingSystem.IsLinux() && args is [PongChild.Flag, _])
    return PongChild.Run(args);

// The benchmarks run in this process, each on a thread of its own (BenchmarkDotNet's in-process
// toolchain), because BenchmarkDotNet's usual per-benchmark rebuild sets OutDir for the whole project
// graph, which sends the plugins' build output into the generated folder (and their artifact copies)
// and takes minutes on a small machine. A thread of its own per benchmark also suits the kernel
// baselines: the private IPC namespace they unshare dies with the thread.
if (!args.Contains("--inProcess", StringComparer.OrdinalIgnoreCase))
    args = [.. args, "--inProcess"];
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;

/// <summary>Entry point type (BenchmarkDotNet finds the benchmark classes in this assembly).</summary>
public partial class Program;
