using System.Text;

namespace Prison.IpcScript.Language;

/// <summary>The TEXT argument syntax and the canonical text payload (spec sections 3 and 8).</summary>
public static class IpcText
{
    /// <summary>Decodes a TEXT token; false for a bad escape or a character that is not one byte.</summary>
    public static bool TryDecode(string token, out byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(token);
        bytes = [];
        if (token == "\"\"")
            return true;
        var result = new List<byte>(token.Length);
        for (var i = 0; i < token.Length; i++)
        {
            var c = token[i];
            if (c != '\\')
            {
                if (c > 0xFF)
                    return false;
                result.Add((byte)c);
                continue;
            }
            if (++i >= token.Length)
                return false;
            switch (token[i])
            {
                case '\\': result.Add((byte)'\\'); break;
                case 's': result.Add((byte)' '); break;
                case 'n': result.Add((byte)'\n'); break;
                case 't': result.Add((byte)'\t'); break;
                case '0': result.Add(0); break;
                case 'x':
                    if (i + 2 >= token.Length || !IsHex(token[i + 1]) || !IsHex(token[i + 2]))
                        return false;
                    result.Add(Convert.ToByte(token.Substring(i + 1, 2), 16));
                    i += 2;
                    break;
                default:
                    return false;
            }
        }
        bytes = [.. result];
        return true;
    }

    /// <summary>The canonical one-token form of <paramref name="bytes"/> (reads back as the same TEXT).</summary>
    public static string Encode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
            return "\"\"";
        var sb = new StringBuilder(bytes.Length);
        foreach (var b in bytes)
        {
            if (b == (byte)' ')
                sb.Append("\\s");
            else if (b == (byte)'\\')
                sb.Append("\\\\");
            else if (b >= 0x21 && b <= 0x7e && b != (byte)'"' && b != (byte)'#')
                sb.Append((char)b);
            else
                sb.Append("\\x").Append(b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }

    private static bool IsHex(char c) => char.IsAsciiHexDigit(c);
}
