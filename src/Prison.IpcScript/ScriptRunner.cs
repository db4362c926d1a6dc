using System.Diagnostics;

namespace Prison.IpcScript;

/// <summary>Runs whole scripts.</summary>
public static class ScriptRunner
{
    /// <summary>The exit status when at least one line was a script error (<c>bad ...</c>); docs/ipc-script-language.md.</summary>
    public const int BadLineStatus = 1;

    /// <summary>
    /// Runs every line of <paramref name="input"/> in one session, writing only result lines; returns
    /// 0 once every line was executed, whatever the system calls answered, or
    /// <see cref="BadLineStatus"/> when any line was <c>bad ...</c> (a script error, not a result).
    /// </summary>
    public static int Run(TextReader input, TextWriter output, IIpcBackend backend) => Run(input, output, backend, timings: null);

    /// <summary>
    /// As <see cref="Run(TextReader, TextWriter, IIpcBackend)"/>; with <paramref name="timings"/>, also
    /// records how long reading, executing and writing took (<c>prison ipc-script --timing</c>).
    /// </summary>
    public static int Run(TextReader input, TextWriter output, IIpcBackend backend, ScriptTimings? timings)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        var session = new IpcScriptSession(backend);
        if (timings is not null)
            return RunTimed(input, output, session, timings);
        var bad = false;
        while (input.ReadLine() is { } line)
        {
            if (session.Execute(line) is { } result)
            {
                output.WriteLine(result);
                bad |= IpcScriptSession.IsBad(result);
            }
        }
        output.Flush();
        return bad ? BadLineStatus : 0;
    }

    private static int RunTimed(TextReader input, TextWriter output, IpcScriptSession session, ScriptTimings timings)
    {
        var bad = false;
        var t0 = Stopwatch.GetTimestamp();
        while (input.ReadLine() is { } line)
        {
            var t1 = Stopwatch.GetTimestamp();
            timings.ReadTicks += t1 - t0;
            timings.Lines++;
            var result = session.Execute(line);
            var t2 = Stopwatch.GetTimestamp();
            timings.ExecuteTicks += t2 - t1;
            if (result is not null)
            {
                output.WriteLine(result);
                bad |= IpcScriptSession.IsBad(result);
            }
            t0 = Stopwatch.GetTimestamp();
            timings.WriteTicks += t0 - t2;
        }
        var flushStart = Stopwatch.GetTimestamp();
        timings.ReadTicks += flushStart - t0;
        output.Flush();
        timings.WriteTicks += Stopwatch.GetTimestamp() - flushStart;
        return bad ? BadLineStatus : 0;
    }
}
