using System.Diagnostics;

namespace Prison.IpcScript;

/// <summary>
/// Where a script run's time went, filled in by <see cref="ScriptRunner.Run(TextReader, TextWriter, IIpcBackend, ScriptTimings?)"/>
/// when asked (<c>prison ipc-script --timing</c>). Durations are <see cref="Stopwatch"/> ticks; reading
/// the clock three times per line costs about 0.1 us per line, so a run without timings does not.
/// </summary>
public sealed class ScriptTimings
{
    /// <summary>Lines read (blank and comment lines included).</summary>
    public long Lines { get; internal set; }

    /// <summary>Reading the lines (decoding included).</summary>
    public long ReadTicks { get; internal set; }

    /// <summary>Executing them: tokens, arguments, the call into the back end and the result text.</summary>
    public long ExecuteTicks { get; internal set; }

    /// <summary>Writing the result lines, the final flush included.</summary>
    public long WriteTicks { get; internal set; }

    /// <summary>Ticks as milliseconds.</summary>
    public static double Milliseconds(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
}
