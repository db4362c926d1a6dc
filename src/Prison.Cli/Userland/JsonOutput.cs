using System.Text.Json;

namespace Prison.Cli.Userland;

/// <summary>The JSON settings of <c>--json</c> output (libxo's role on FreeBSD).</summary>
internal static class JsonOutput
{
    public static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
    };
}
