namespace Prison.IpcScript;

/// <summary>Runs IPC scripts (being written).</summary>
public static class ScriptRunner
{
}
