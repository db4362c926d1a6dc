using System.Globalization;

namespace Prison.Cli.Shell;

/// <summary>
/// The signals <c>kill</c> can name, with FreeBSD's numbers (sys/sys/signal.h). The model has one way to
/// deliver a signal (<see cref="Prison.Core.Procs.Proc.Signal"/>: a blocked call returns EINTR); the
/// processes of the shell behave as programs that catch every catchable signal without SA_RESTART, so
/// the interrupted call prints <c>err EINTR</c>. SIGKILL cannot be caught: it ends the job's processes.
/// </summary>
internal static class Signals
{
    public const int SIGHUP = 1;
    public const int SIGINT = 2;
    public const int SIGQUIT = 3;
    public const int SIGKILL = 9;
    public const int SIGALRM = 14;
    public const int SIGTERM = 15;
    public const int SIGUSR1 = 30;
    public const int SIGUSR2 = 31;

    private static readonly (int Number, string Name)[] Table =
    [
        (SIGHUP, "HUP"), (SIGINT, "INT"), (SIGQUIT, "QUIT"), (SIGKILL, "KILL"), (SIGALRM, "ALRM"),
        (SIGTERM, "TERM"), (SIGUSR1, "USR1"), (SIGUSR2, "USR2"),
    ];

    /// <summary>The names <c>kill -l</c> lists, in number order.</summary>
    public static IEnumerable<string> Names => Table.Select(t => t.Name);

    /// <summary>The number of a signal given as <c>INT</c>, <c>SIGINT</c> or <c>2</c>; null when unknown.</summary>
    public static int? Parse(string text)
    {
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            return Table.Any(t => t.Number == n) || n == 0 ? n : null;
        var name = text.StartsWith("SIG", StringComparison.OrdinalIgnoreCase) ? text[3..] : text;
        foreach (var (number, known) in Table)
        {
            if (string.Equals(known, name, StringComparison.OrdinalIgnoreCase))
                return number;
        }
        return null;
    }

    /// <summary>The name without <c>SIG</c>, or the number as text.</summary>
    public static string Name(int number)
    {
        foreach (var (n, name) in Table)
        {
            if (n == number)
                return name;
        }
        return number.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>What sh's <c>jobs</c> prints for a job a signal ended (strsignal's wording).</summary>
    public static string Describe(int number) => number switch
    {
        SIGHUP => "Hangup",
        SIGINT => "Interrupt",
        SIGQUIT => "Quit",
        SIGKILL => "Killed",
        SIGALRM => "Alarm clock",
        SIGTERM => "Terminated",
        SIGUSR1 => "User defined signal 1",
        SIGUSR2 => "User defined signal 2",
        _ => "Signal " + number.ToString(CultureInfo.InvariantCulture),
    };
}
