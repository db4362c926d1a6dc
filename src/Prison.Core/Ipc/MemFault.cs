namespace Prison.Core.Ipc;

/// <summary>The result of a load or store through a simulated address.</summary>
public enum MemFault
{
    /// <summary>The access succeeded.</summary>
    None,
    /// <summary>No mapping with the needed access at the address.</summary>
    SIGSEGV,
    /// <summary>The mapping exists but its backing object does not cover the address.</summary>
    SIGBUS,
}
