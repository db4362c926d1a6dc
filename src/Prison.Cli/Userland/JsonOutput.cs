using System.Text.Encodings.Web;
using System.Text.Json;

namespace Prison.Cli.Userland;

/// <summary>
/// The JSON settings of <c>--json</c> output for the commands that have no libxo on FreeBSD (kldstat,
/// sysctl, ipcs, mount): text is written as it is (<c>"日本語"</c>, <c>"it's"</c>), not as <c>\u</c> escapes.
/// </summary>
internal static class JsonOutput
{
    public static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
