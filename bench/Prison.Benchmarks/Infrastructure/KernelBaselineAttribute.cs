namespace Prison.Benchmarks.Infrastructure;

/// <summary>Marks a benchmark that calls the real Linux kernel (skipped where a private IPC namespace cannot be made).</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class KernelBaselineAttribute : Attribute;
