namespace Prison.Tests.Shared;

/// <summary>
/// The modules' invariant checks (docs/locking.md, "Debug checks") are <c>[Conditional("DEBUG")]</c>: a
/// test of them skips, visibly, when the tests are built in Release.
/// </summary>
internal static class DebugBuild
{
#if DEBUG
    private const bool IsDebug = true;
#else
    private const bool IsDebug = false;
#endif

    /// <summary>Skips the calling test unless this is a Debug build.</summary>
    public static void Require() => Skip.IfNot(IsDebug, "the invariant checks are compiled out of Release builds");
}
