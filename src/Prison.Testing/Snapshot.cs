using System.Runtime.CompilerServices;
using Prison.Core;

namespace Prison.Testing;

/// <summary>
/// Snapshot tests of kernel state in one line: <c>Snapshot.Verify(kernel)</c> compares
/// <see cref="Kernel.Snapshot"/> with <c>{TestClass}.{Method}.verified.txt</c> beside the test, as
/// <see cref="Approvals.Verify"/> does (a mismatch writes <c>.received.txt</c> and fails with a line diff;
/// <c>PRISON_ACCEPT=1</c> accepts).
/// </summary>
/// <remarks>
/// The text needs no scrubbing here: ids, pids, jids and mount ids are deterministic in a fresh kernel,
/// and providers write times through <c>SnapshotWriter.Time</c>, which turns them into
/// <c>Time_1</c>, <c>Time_2</c>, ... (equal times share a token). Use a <see cref="ManualTimeProvider"/>
/// so that which times are equal does not depend on the wall clock.
/// </remarks>
public static class Snapshot
{
    /// <summary>Verifies the whole snapshot of <paramref name="kernel"/>, or one section of it.</summary>
    /// <param name="kernel">The kernel after the scenario.</param>
    /// <param name="only">A section: <c>kernel</c> or a provider's name (<c>sysvshm</c>); null for all.</param>
    /// <param name="file">Filled in by the compiler: the calling test's source file.</param>
    /// <param name="method">Filled in by the compiler: the calling test method.</param>
    /// <exception cref="ArgumentException"><paramref name="only"/> names no section (its module is not loaded).</exception>
    /// <exception cref="ApprovalException">The snapshot differs from the verified file, or there is none.</exception>
    public static void Verify(Kernel kernel, string? only = null,
        [CallerFilePath] string file = "", [CallerMemberName] string method = "")
    {
        ArgumentNullException.ThrowIfNull(kernel);
        var text = kernel.Snapshot(only);
        if (text.Length == 0)
            throw new ArgumentException($"the kernel has no snapshot section '{only}' (is its module loaded?)", nameof(only));
        Approvals.Verify(text, file, method);
    }
}
