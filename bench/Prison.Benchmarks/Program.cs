using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Prison.Benchmarks -- --filter '*Slot*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);

/// <summary>Entry point type (BenchmarkDotNet finds the benchmark classes in this assembly).</summary>
public partial class Program;
