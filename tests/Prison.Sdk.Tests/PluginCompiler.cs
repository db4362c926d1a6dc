using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Prison.Sdk.Tests;

/// <summary>Compiles C# source against the assemblies this test runs with (Prison.Core included).</summary>
internal static class PluginCompiler
{
    private static readonly Lazy<MetadataReference[]> References = new(() =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => p.EndsWith(".dll", StringComparison.Ordinal))
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToArray());

    /// <summary>The implicit usings of an SDK project with ImplicitUsings enabled.</summary>
    public const string ImplicitUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Threading;
        global using System.Threading.Tasks;
        """;

    /// <summary>The errors of compiling <paramref name="sources"/> as one library (empty when it compiles).</summary>
    public static IReadOnlyList<string> Errors(string assemblyName, OutputKind kind, params string[] sources) =>
        Compilation(assemblyName, sources, kind).GetDiagnostics()
            .Where(d => d.Severity == DiagnosticSeverity.Error)
            .Select(d => d.ToString())
            .ToArray();

    /// <summary>Compiles <paramref name="sources"/> into a library; throws with the errors when it does not compile.</summary>
    public static byte[] Compile(string assemblyName, params string[] sources)
    {
        using var image = new MemoryStream();
        var result = Compilation(assemblyName, sources).Emit(image);
        if (!result.Success)
            throw new InvalidOperationException("does not compile:\n" + string.Join('\n', result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
        return image.ToArray();
    }

    private static CSharpCompilation Compilation(string assemblyName, string[] sources, OutputKind kind = OutputKind.DynamicallyLinkedLibrary) =>
        CSharpCompilation.Create(assemblyName,
            [.. sources.Append(ImplicitUsings).Select(s => CSharpSyntaxTree.ParseText(s, new CSharpParseOptions(LanguageVersion.Preview)))],
            References.Value,
            new CSharpCompilationOptions(kind, nullableContextOptions: NullableContextOptions.Enable));
}
