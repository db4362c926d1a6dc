namespace Prison.Core.Services;

/// <summary>The KPI's per-(jail, service) state: create at most once, destroy iff created.</summary>
internal enum SlotState : byte
{
    None = 0,
    Created = 1,
    Destroyed = 2,
}
