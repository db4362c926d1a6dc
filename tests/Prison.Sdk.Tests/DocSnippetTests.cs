using System.Text.RegularExpressions;
using System.Xml.Linq;
using Microsoft.CodeAnalysis;

namespace Prison.Sdk.Tests;

/// <summary>
/// The C# and project-file snippets of README.md and docs/plugins.md are complete and compile as they
/// are (with the implicit usings their project files enable, nothing else), and README's "Writing a
/// plugin" is exactly what the template generates.
/// </summary>
public partial class DocSnippetTests
{
    public static TheoryData<string, int> CSharpSnippets()
    {
        var data = new TheoryData<string, int>();
        foreach (var doc in Docs)
        {
            for (var i = 0; i < Blocks(doc, "csharp").Count; i++)
                data.Add(doc, i);
        }
        return data;
    }

    public static TheoryData<string, int> ProjectFiles()
    {
        var data = new TheoryData<string, int>();
        foreach (var doc in Docs)
        {
            var blocks = Blocks(doc, "xml");
            for (var i = 0; i < blocks.Count; i++)
            {
                if (blocks[i].TrimStart().StartsWith("<Project", StringComparison.Ordinal))
                    data.Add(doc, i);
            }
        }
        return data;
    }

    private static readonly string[] Docs = ["README.md", "docs/plugins.md"];

    [Theory]
    [MemberData(nameof(CSharpSnippets))]
    public void Every_csharp_snippet_compiles_as_it_is(string doc, int index)
    {
        var code = Blocks(doc, "csharp")[index];
        // A snippet that declares a namespace is a library (a plugin, a test class); one without is a Program.cs.
        var kind = code.Contains("\nnamespace ", StringComparison.Ordinal) ? OutputKind.DynamicallyLinkedLibrary : OutputKind.ConsoleApplication;
        var errors = PluginCompiler.Errors($"snippet{index}", kind, code);
        Assert.True(errors.Count == 0, $"{doc}, C# snippet {index + 1} does not compile:\n{string.Join('\n', errors)}\n---\n{code}");
    }

    [Theory]
    [MemberData(nameof(ProjectFiles))]
    public void Every_project_file_snippet_is_a_complete_sdk_project(string doc, int index)
    {
        var project = XDocument.Parse(Blocks(doc, "xml")[index]).Root!;
        Assert.Equal("Microsoft.NET.Sdk", (string?)project.Attribute("Sdk"));
        Assert.Equal("net10.0", project.Descendants("TargetFramework").Single().Value);
        Assert.All(project.Descendants("PackageReference"), r => Assert.NotNull(r.Attribute("Version")));
    }

    [Fact]
    public void Readme_writing_a_plugin_is_what_the_template_generates()
    {
        var section = Section(Repo.Read("README.md"), "## Writing a plugin");
        var content = Repo.File("src/Prison.Templates/content/prison-module/samplemodule/");
        var version = XDocument.Load(Repo.File("build/Package.props")).Descendants("Version").Single().Value;
        string Generate(string file) => File.ReadAllText(Path.Combine(content, file))
            .Replace("SampleModule", "Hits", StringComparison.Ordinal)
            .Replace("samplemodule", "hits", StringComparison.Ordinal)
            .Replace("PRISON_VERSION", version, StringComparison.Ordinal);

        Assert.Equal(Generate("samplemodule.csproj"), BlocksIn(section, "xml").Single());
        Assert.Equal(Generate("SampleModuleModule.cs"), BlocksIn(section, "csharp").Single());
        Assert.Contains($"Prison.Templates.{version}.nupkg", section, StringComparison.Ordinal);
    }

    [Fact]
    public void Cli_doc_shows_the_plugin_path_kldload_uses()
    {
        var cli = Repo.Read("docs/cli.md");
        Assert.Contains("plugins/sysvshm/sysvshm.dll", cli, StringComparison.Ordinal);
        Assert.DoesNotContain("SysvShm.dll", cli, StringComparison.Ordinal);
    }

    private static List<string> Blocks(string doc, string language) => BlocksIn(Repo.Read(doc), language);

    private static List<string> BlocksIn(string text, string language) =>
        [.. Fence().Matches(text).Where(m => m.Groups["lang"].Value == language).Select(m => m.Groups["body"].Value)];

    private static string Section(string text, string heading)
    {
        var start = text.IndexOf(heading + "\n", StringComparison.Ordinal);
        Assert.True(start >= 0, $"no section {heading}");
        var end = text.IndexOf("\n## ", start + heading.Length, StringComparison.Ordinal);
        return end < 0 ? text[start..] : text[start..(end + 1)];
    }

    [GeneratedRegex(@"^```(?<lang>[a-z]*)\n(?<body>.*?)^```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex Fence();
}
