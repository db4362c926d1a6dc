using System.Reflection;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Filters;

namespace Prison.Benchmarks.Infrastructure;

/// <summary>
/// The configuration of the classes that compare Prison with the Linux kernel: drops the
/// <see cref="KernelBaselineAttribute"/> benchmarks, saying why, where a private IPC namespace cannot be
/// made (not Linux, or no CAP_SYS_ADMIN), and gives each category its own baseline.
/// </summary>
internal sealed class KernelIpcConfig : ManualConfig
{
    public KernelIpcConfig()
    {
        AddLogicalGroupRules(BenchmarkLogicalGroupRule.ByCategory);
        AddColumn(CategoriesColumn.Default);
        var why = OperatingSystem.IsLinux() ? PrivateIpcNamespace.WhyUnavailable : "kernel baselines skipped: they need Linux";
        if (why is null)
            return;
        Console.WriteLine(why);
        AddFilter(new SimpleFilter(c => !c.Descriptor.WorkloadMethod.IsDefined(typeof(KernelBaselineAttribute))));
    }
}
