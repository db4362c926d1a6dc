using System.Globalization;
using System.Text;

namespace Prison.Core.Snapshots;

/// <summary>
/// Builds snapshot text: indented sections and lines, with unstable values (times, digests of large
/// buffers) turned into stable tokens so the same scenario always gives byte-identical text.
/// </summary>
public sealed class SnapshotWriter
{
    private readonly StringBuilder _text = new();
    private readonly Dictionary<long, string> _times = [];
    private int _depth;

    /// <summary>Writes one line at the current indentation.</summary>
    public void Line(string text)
    {
        _text.Append(' ', _depth * 2).Append(text).Append('\n');
    }

    /// <summary>Opens an indented section titled <paramref name="title"/>; dispose to close it.</summary>
    public IDisposable Section(string title)
    {
        Line(title);
        _depth++;
        return new Closer(this);
    }

    /// <summary>
    /// A time (unix seconds) as a stable token: <c>0</c> stays <c>0</c> (never set); other values become
    /// <c>Time_1</c>, <c>Time_2</c>, ... in order of first appearance, equal times sharing a token.
    /// </summary>
    public string Time(long unixSeconds)
    {
        if (unixSeconds == 0)
            return "0";
        if (!_times.TryGetValue(unixSeconds, out var token))
        {
            token = "Time_" + (_times.Count + 1).ToString(CultureInfo.InvariantCulture);
            _times[unixSeconds] = token;
        }
        return token;
    }

    /// <summary>A short content digest (first 8 hex digits of SHA-256), stable across machines.</summary>
    public static string Digest(ReadOnlySpan<byte> content) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(content))[..8];

    /// <inheritdoc />
    public override string ToString() => _text.ToString();

    private sealed class Closer(SnapshotWriter writer) : IDisposable
    {
        private bool _closed;

        public void Dispose()
        {
            if (_closed)
                return;
            _closed = true;
            writer._depth--;
        }
    }
}
