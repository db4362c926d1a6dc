using System.Diagnostics;
using System.Globalization;
using Prison.IpcScript;

namespace Prison.Cli;

/// <summary>
/// <c>prison ipc-script --timing</c>: where a whole run's time went, printed on standard error at the end.
/// Startup is measured from the process's start time (the kernel's, so it includes the runtime host)
/// to <c>Main</c>; the rest with <see cref="Stopwatch"/> timestamps.
/// </summary>
public sealed class IpcScriptClock
{
    private readonly long _commandLineParsed;
    private long _booted;
    private long _scriptDone;

    /// <summary>The <see cref="Stopwatch"/> timestamp at which the <c>prison</c> binary's Main started; 0 when not run from it.</summary>
    public static long MainEntered { get; set; }

    /// <summary>A clock started once the command line is parsed.</summary>
    /// <param name="commandLineParsed">A <see cref="Stopwatch"/> timestamp.</param>
    public IpcScriptClock(long commandLineParsed) => _commandLineParsed = commandLineParsed;

    /// <summary>The script's own breakdown: reading, executing and writing the lines.</summary>
    public ScriptTimings Script { get; } = new();

    /// <summary>The kernel is booted and the IPC modules are loaded.</summary>
    public void Booted() => _booted = Stopwatch.GetTimestamp();

    /// <summary>The script's last line is done.</summary>
    public void ScriptDone() => _scriptDone = Stopwatch.GetTimestamp();

    /// <summary>Writes the breakdown, one phase a line, in milliseconds.</summary>
    public void Report(TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var end = Stopwatch.GetTimestamp();
        var c = CultureInfo.InvariantCulture;
        string Ms(long ticks) => ScriptTimings.Milliseconds(ticks).ToString("0.0", c);
        if (MainEntered != 0)
        {
            var sinceStart = DateTime.Now - Process.GetCurrentProcess().StartTime;
            var toMain = sinceStart.TotalMilliseconds - ScriptTimings.Milliseconds(end - MainEntered);
            error.WriteLine($"timing: process start to Main {toMain.ToString("0.0", c)} ms");
            error.WriteLine($"timing: command line          {Ms(_commandLineParsed - MainEntered)} ms");
        }
        if (_booted == 0)
            return;
        error.WriteLine($"timing: boot and kldload      {Ms(_booted - _commandLineParsed)} ms");
        var s = Script;
        error.WriteLine($"timing: script, {s.Lines} lines:");
        error.WriteLine($"timing:   read                {Ms(s.ReadTicks)} ms");
        error.WriteLine($"timing:   execute             {Ms(s.ExecuteTicks)} ms (tokens, arguments, the call, the result text)");
        error.WriteLine($"timing:   write               {Ms(s.WriteTicks)} ms");
        error.WriteLine($"timing:   total               {Ms(_scriptDone - _booted)} ms");
        error.WriteLine($"timing: shutdown              {Ms(end - _scriptDone)} ms");
    }
}
