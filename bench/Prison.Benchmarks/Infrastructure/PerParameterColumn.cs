using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Prison.Benchmarks.Infrastructure;

/// <summary>
/// The mean divided by a numeric parameter (e.g. ns per jail when a call visits every jail), and the
/// same for the difference to the baseline of the same parameters (the cost beyond the floor).
/// </summary>
internal sealed class PerParameterColumn(string parameter, bool beyondBaseline) : IColumn
{
    public string Id => $"{nameof(PerParameterColumn)}.{parameter}.{beyondBaseline}";

    public string ColumnName => beyondBaseline ? $"ns/{parameter} over baseline" : $"ns/{parameter}";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => beyondBaseline ? 1 : 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => beyondBaseline
        ? $"(mean - baseline mean) / {parameter}, in nanoseconds"
        : $"mean / {parameter}, in nanoseconds";

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        if (summary[benchmarkCase]?.ResultStatistics is not { } stats || benchmarkCase.Parameters[parameter] is not IConvertible n)
            return "-";
        var count = n.ToDouble(System.Globalization.CultureInfo.InvariantCulture);
        var mean = stats.Mean;
        if (beyondBaseline)
        {
            if (summary.GetBaseline(summary.GetLogicalGroupKey(benchmarkCase)) is not { } baseline || summary[baseline]?.ResultStatistics is not { } floor)
                return "-";
            if (baseline == benchmarkCase)
                return "-";
            mean -= floor.Mean;
        }
        return (mean / count).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture);
    }

    public override string ToString() => ColumnName;
}
