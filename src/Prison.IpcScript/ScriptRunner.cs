namespace Prison.IpcScript;

/// <summary>Runs whole scripts.</summary>
public static class ScriptRunner
{
    /// <summary>
    /// Runs every line of <paramref name="input"/> in one session, writing only result lines; returns
    /// 0 once every line was executed, whatever the results were.
    /// </summary>
    public static int Run(TextReader input, TextWriter output, IIpcBackend backend)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        var session = new IpcScriptSession(backend);
        while (input.ReadLine() is { } line)
        {
            if (session.Execute(line) is { } result)
                output.WriteLine(result);
        }
        output.Flush();
        return 0;
    }
}
