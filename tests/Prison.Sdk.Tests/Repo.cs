using System.Reflection;

namespace Prison.Sdk.Tests;

/// <summary>Where the repository is (recorded at build time) and its files.</summary>
internal static class Repo
{
    public static string Root { get; } = Path.GetFullPath(
        typeof(Repo).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "PrisonRepoRoot").Value!);

    public static string File(string relative) => Path.Combine(Root, relative);

    public static string Read(string relative) => System.IO.File.ReadAllText(File(relative));

    /// <summary>A package version from Directory.Packages.props (the version the repository restored).</summary>
    public static string PackageVersion(string id)
    {
        var doc = System.Xml.Linq.XDocument.Load(File("Directory.Packages.props"));
        return doc.Descendants("PackageVersion").Single(e => (string?)e.Attribute("Include") == id).Attribute("Version")!.Value;
    }
}
