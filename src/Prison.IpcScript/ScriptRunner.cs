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
    public static int Run(TextReader input, TextWriter output, IIpcBackend backend)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        var session = new IpcScriptSession(backend);
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
}
