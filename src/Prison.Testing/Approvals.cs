namespace Prison.Testing;

/// <summary>Approved-file assertions (being written).</summary>
public static class Approvals
{
}
