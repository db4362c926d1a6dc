namespace Prison.Core.Snapshots;

/// <summary>
/// A service's contribution to <see cref="Kernel.Snapshot"/>: a deterministic dump of its state. A
/// plugin registers one with <c>ModuleContext.RegisterSnapshot</c>; it disappears when the module unloads.
/// </summary>
public interface ISnapshotProvider
{
    /// <summary>The section name (usually the module name, <c>sysvshm</c>).</summary>
    string Name { get; }

    /// <summary>
    /// Writes the state through <paramref name="writer"/>: in a stable order (by id, by jid), with times
    /// through <see cref="SnapshotWriter.Time"/> so they scrub to stable tokens. Take your own lock.
    /// </summary>
    void Write(SnapshotWriter writer);
}
