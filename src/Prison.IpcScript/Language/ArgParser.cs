using System.Globalization;
using System.Numerics;
using Prison.Core.Ipc;

namespace Prison.IpcScript.Language;

/// <summary>The argument syntax of spec section 3. Each parser reports its problem into a <see cref="LineProblem"/>.</summary>
internal static class ArgParser
{
    /// <summary>The largest msgsnd/msgrcv size and shmread/shmwrite length (1 MiB).</summary>
    public const long MaxTransfer = 1 << 20;

    /// <summary>The most semaphore operations a SOPS argument may expand to.</summary>
    public const int MaxSops = 100_000;

    /// <summary>True when <paramref name="token"/> has the INT syntax <c>-?[0-9]+</c>.</summary>
    public static bool IsIntSyntax(string token)
    {
        var digits = token.StartsWith('-') ? token.AsSpan(1) : token.AsSpan();
        return digits.Length > 0 && !digits.ContainsAnyExceptInRange('0', '9');
    }

    /// <summary>An INT as an arbitrary-precision value, or null when the syntax is wrong.</summary>
    private static BigInteger? ParseBig(string token) =>
        IsIntSyntax(token) ? BigInteger.Parse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture) : null;

    /// <summary>
    /// An INT with at most 18 digits, which always fits a long: parsed without a <see cref="BigInteger"/>
    /// (the common case, and the script's hot path). False for every other token.
    /// </summary>
    private static bool TryParseSmall(string token, out long value)
    {
        var digits = token.Length - (token.StartsWith('-') ? 1 : 0);
        if (digits is > 0 and <= 18 && IsIntSyntax(token))
            return long.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
        value = 0;
        return false;
    }

    /// <summary>An INT in [<paramref name="min"/>, <paramref name="max"/>]; <c>bad number</c> otherwise.</summary>
    public static long Int(LineProblem problem, string token, long min = long.MinValue, long max = long.MaxValue, string reason = "number")
    {
        if (TryParseSmall(token, out var small))
        {
            if (small >= min && small <= max)
                return small;
            problem.Bad(reason);
            return 0;
        }
        var value = ParseBig(token);
        if (value is null || value < min || value > max)
        {
            problem.Bad(reason);
            return 0;
        }
        return (long)value.Value;
    }

    /// <summary>A KEY: IPC_PRIVATE or an INT in [-2^31, 2^32-1], wrapped to int32.</summary>
    public static int Key(LineProblem problem, string token) =>
        token == "IPC_PRIVATE" ? IpcConstants.IPC_PRIVATE : unchecked((int)Int(problem, token, int.MinValue, uint.MaxValue));

    /// <summary>A SIZE: an INT in [-2^63, 2^64-1], negative values wrapped modulo 2^64.</summary>
    public static ulong Size(LineProblem problem, string token)
    {
        if (TryParseSmall(token, out var small))
            return unchecked((ulong)small);
        var value = ParseBig(token);
        if (value is null || value < long.MinValue || value > ulong.MaxValue)
        {
            problem.Bad("number");
            return 0;
        }
        return value.Value.Sign < 0 ? unchecked((ulong)(long)value.Value) : (ulong)value.Value;
    }

    /// <summary>A CLIT: <c>0x</c> hex, leading-0 octal or decimal, at most <paramref name="max"/>.</summary>
    public static long CLiteral(LineProblem problem, string token, long max)
    {
        if (TryCLiteral(token, out var value) && value <= max)
            return value;
        problem.Bad("number");
        return 0;
    }

    private static bool TryCLiteral(string token, out long value)
    {
        value = 0;
        if (token.Length == 0 || !char.IsAsciiDigit(token[0]))
            return false;
        int radix;
        string digits;
        if (token.Length > 1 && token[0] == '0' && (token[1] == 'x' || token[1] == 'X'))
            (radix, digits) = (16, token[2..]);
        else if (token.Length > 1 && token[0] == '0')
            (radix, digits) = (8, token[1..]);
        else
            (radix, digits) = (10, token);
        if (digits.Length == 0)
            return false;
        BigInteger acc = 0;
        foreach (var c in digits)
        {
            var d = char.IsAsciiDigit(c) ? c - '0' : char.IsAsciiLetter(c) ? char.ToLowerInvariant(c) - 'a' + 10 : 99;
            if (d >= radix)
                return false;
            acc = (acc * radix) + d;
            if (acc > long.MaxValue)
                return false;
        }
        value = (long)acc;
        return true;
    }

    /// <summary>
    /// FLAGS: items separated by <c>|</c>, each a flag NAME (<c>bad flag</c> when unknown,
    /// <c>skip unsupported</c> when the platform lacks it) or a CLIT of at most 2^31-1.
    /// </summary>
    public static int Flags(LineProblem problem, string token, IpcPlatform platform)
    {
        var flags = 0;
        foreach (var item in token.Split('|'))
        {
            if (item.Length > 0 && char.IsAsciiDigit(item[0]))
            {
                flags |= (int)CLiteral(problem, item, int.MaxValue);
            }
            else if (!IpcPlatform.IsFlagName(item))
            {
                problem.Bad("flag");
            }
            else if (platform.Value(item) is { } value)
            {
                flags |= value;
            }
            else
            {
                problem.Skip("unsupported");
            }
        }
        return flags;
    }

    /// <summary>MODE: a CLIT of at most 07777, or <c>-</c> (null: keep the current value).</summary>
    public static int? Mode(LineProblem problem, string token) =>
        token == "-" ? null : (int)CLiteral(problem, token, Convert.ToInt32("7777", 8));

    /// <summary>UGID: an INT in [-2^31, 2^32-1] wrapped to 32 bits, or <c>-</c> (null: keep).</summary>
    public static uint? Ugid(LineProblem problem, string token) =>
        token == "-" ? null : unchecked((uint)Int(problem, token, int.MinValue, uint.MaxValue));

    /// <summary>TEXT, <c>bad text</c> for a bad escape.</summary>
    public static byte[] Text(LineProblem problem, string token)
    {
        if (IpcText.TryDecode(token, out var bytes))
            return bytes;
        problem.Bad("text");
        return [];
    }

    /// <summary>LIST: INT values in [0, 65535] separated by commas.</summary>
    public static ushort[] List(LineProblem problem, string token) =>
        token.Split(',').Select(item => (ushort)Int(problem, item, 0, ushort.MaxValue)).ToArray();

    /// <summary>
    /// SOPS: <c>-</c> (no operations) or <c>NUM:OP:FLAGS[*COUNT]</c> items separated by commas, at most
    /// <see cref="MaxSops"/> operations after expansion. Malformed items give <c>bad sops</c>; the FLAGS
    /// part reports like any FLAGS argument.
    /// </summary>
    public static SemBuf[] Sops(LineProblem problem, string token, IpcPlatform platform)
    {
        if (token == "-")
            return [];
        var sops = new List<SemBuf>();
        foreach (var item in token.Split(','))
        {
            var body = item;
            long count = 1;
            var star = item.IndexOf('*', StringComparison.Ordinal);
            if (star >= 0)
            {
                body = item[..star];
                count = Int(problem, item[(star + 1)..], 1, MaxSops + 1L, "sops");
            }
            var parts = body.Split(':');
            if (parts.Length != 3)
            {
                problem.Bad("sops");
                return [];
            }
            var num = Int(problem, parts[0], short.MinValue, ushort.MaxValue, "sops");
            var op = Int(problem, parts[1], short.MinValue, short.MaxValue, "sops");
            var flg = Flags(problem, parts[2], platform);
            if (problem.Found)
                return [];
            if (sops.Count + count > MaxSops)
            {
                problem.Bad("sops");
                return [];
            }
            var sop = new SemBuf(unchecked((ushort)num), (short)op, unchecked((short)flg));
            for (var i = 0; i < count; i++)
                sops.Add(sop);
        }
        return [.. sops];
    }
}
