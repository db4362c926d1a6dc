using System.Reflection;

namespace Prison.Benchmarks.Infrastructure;

/// <summary>
/// Where the plugins are. BenchmarkDotNet runs each benchmark in a process built from a generated
/// project, whose folder has no plugins/ copy; the build records this project's own output folder
/// (which has one) in an assembly attribute.
/// </summary>
internal static class PluginFolder
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        var candidates = new List<string> { System.IO.Path.Combine(AppContext.BaseDirectory, "plugins") };
        foreach (var a in typeof(PluginFolder).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>())
        {
            if (a is { Key: "PrisonPluginFolder", Value: { } v })
                candidates.Add(v);
        }
        return candidates.FirstOrDefault(d => Directory.Exists(System.IO.Path.Combine(d, "sysvshm")))
            ?? throw new InvalidOperationException("no plugins folder found (looked in " + string.Join(", ", candidates) + "); build bench/Prison.Benchmarks first");
    }
}
