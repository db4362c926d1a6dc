using Prison.Core.Snapshots;

namespace Prison.Core.Ipc.Sysv;

/// <summary>The part of a System V module's snapshot section that every kind shares: each jail's namespace mode.</summary>
public static class SysvNamespaceSnapshot
{
    /// <summary>
    /// Writes a <c>namespaces</c> section: one line per jail (prison0 first, then by jid, dying ones
    /// included) with its mode, <c>disable</c>, <c>inherit</c> or <c>new</c>. Reads the slots lock-free.
    /// </summary>
    public static void WriteModes(this SysvNamespaces namespaces, SnapshotWriter writer)
    {
        ArgumentNullException.ThrowIfNull(namespaces);
        ArgumentNullException.ThrowIfNull(writer);
        var jails = namespaces.Jails;
        using var _ = writer.Section("namespaces");
        writer.Line($"0 prison0 {namespaces.ModeOf(jails.Prison0).ToParam()}");
        foreach (var jail in jails.List(jails.Prison0, includeDying: true))
            writer.Line($"{jail.Id} {jail.Name} {namespaces.ModeOf(jail).ToParam()}");
    }
}
