namespace Prison.Cli.Userland;

/// <summary>The options and operands of one command line, parsed like getopt(3).</summary>
internal sealed class Options
{
    /// <summary>Each option in order with its argument (null for a flag).</summary>
    public List<(char Option, string? Argument)> Items { get; } = [];

    /// <summary>What follows the options.</summary>
    public List<string> Operands { get; } = [];

    /// <summary>True when <c>--json</c> (or <c>--libxo json</c>) was given (accepted only where the command allows it).</summary>
    public bool Json { get; set; }

    /// <summary>The <c>--libxo</c> format (<c>--json</c> is <c>--libxo json</c>), for the commands that have libxo on FreeBSD.</summary>
    public LibxoFormat? Libxo { get; set; }

    /// <summary>The libxo style asked for: <see cref="LibxoStyle.Text"/> when none.</summary>
    public LibxoStyle Style => Libxo?.Style ?? LibxoStyle.Text;

    /// <summary>True when the flag was given.</summary>
    public bool Has(char option) => Items.Any(i => i.Option == option);

    /// <summary>The last argument of an option, or null.</summary>
    public string? Value(char option) => Items.LastOrDefault(i => i.Option == option).Argument;
}

/// <summary>
/// POSIX getopt(3): options come before operands (parsing stops at the first operand or at <c>--</c>),
/// flags may be grouped (<c>-nv</c>), and an option that takes an argument accepts it glued (<c>-j1</c>)
/// or as the next word. Errors read as FreeBSD's: <c>illegal option -- x</c>.
/// </summary>
internal static class Getopt
{
    /// <summary>Parses <paramref name="args"/> against <paramref name="spec"/> (getopt's optstring).</summary>
    /// <param name="args">The words after the command name.</param>
    /// <param name="spec">Option letters; a letter followed by <c>:</c> takes an argument.</param>
    /// <param name="allowJson">Accept <c>--json</c> anywhere before <c>--</c>, as libxo's options are.</param>
    /// <param name="error">The reason parsing failed.</param>
    /// <param name="libxo">Also accept <c>--libxo FORMAT</c> / <c>--libxo=FORMAT</c> anywhere before <c>--</c>
    /// (the commands that have libxo on FreeBSD); <c>--json</c> is then <c>--libxo json</c>.</param>
    public static Options? Parse(IReadOnlyList<string> args, string spec, bool allowJson, out string? error, bool libxo = false)
    {
        error = null;
        var result = new Options();
        if (allowJson || libxo)
        {
            args = TakeOutputOptions(args, result, libxo, out error);
            if (error is not null)
                return null;
        }
        var i = 0;
        for (; i < args.Count; i++)
        {
            var a = args[i];
            if (a == "--")
            {
                i++;
                break;
            }
            if (a.Length < 2 || a[0] != '-')
                break;
            if (a.StartsWith("--", StringComparison.Ordinal))
            {
                error = $"unrecognized option '{a}'";
                return null;
            }
            for (var j = 1; j < a.Length; j++)
            {
                var c = a[j];
                var at = spec.IndexOf(c, StringComparison.Ordinal);
                if (c == ':' || at < 0)
                {
                    error = $"illegal option -- {Shell.CommandLineParser.Printable(c.ToString())}";
                    return null;
                }
                var takesArgument = at + 1 < spec.Length && spec[at + 1] == ':';
                if (!takesArgument)
                {
                    result.Items.Add((c, null));
                    continue;
                }
                if (j + 1 < a.Length)
                {
                    result.Items.Add((c, a[(j + 1)..]));
                }
                else if (i + 1 < args.Count)
                {
                    result.Items.Add((c, args[++i]));
                }
                else
                {
                    error = $"option requires an argument -- {c}";
                    return null;
                }
                break;
            }
        }
        for (; i < args.Count; i++)
            result.Operands.Add(args[i]);
        return result;
    }

    /// <summary>
    /// Removes <c>--json</c> and <c>--libxo FORMAT</c> wherever they stand before <c>--</c>, as
    /// xo_parse_args does before getopt sees the arguments.
    /// </summary>
    private static IReadOnlyList<string> TakeOutputOptions(IReadOnlyList<string> args, Options result, bool libxo, out string? error)
    {
        error = null;
        var rest = new List<string>(args.Count);
        for (var i = 0; i < args.Count; i++)
        {
            var a = args[i];
            if (a == "--")
            {
                rest.AddRange(args.Skip(i));
                break;
            }
            if (a == "--json")
            {
                result.Json = true;
                if (libxo)
                    result.Libxo = new LibxoFormat(LibxoStyle.Json, Pretty: false);
                continue;
            }
            if (libxo && (a == "--libxo" || a.StartsWith("--libxo=", StringComparison.Ordinal) || a.StartsWith("--libxo:", StringComparison.Ordinal)))
            {
                string value;
                if (a == "--libxo")
                {
                    if (i + 1 >= args.Count)
                    {
                        error = "option '--libxo' requires an argument";
                        return args;
                    }
                    value = args[++i];
                }
                else
                {
                    value = a[8..];
                }
                if (LibxoFormat.Parse(value) is not { } format)
                {
                    error = $"libxo: unknown output style: {Shell.CommandLineParser.Printable(value)}";
                    return args;
                }
                result.Libxo = format;
                result.Json = format.Style == LibxoStyle.Json;
                continue;
            }
            rest.Add(a);
        }
        return rest;
    }
}
