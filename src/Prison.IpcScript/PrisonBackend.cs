using Prison.Core;
using Prison.Core.Procs;

namespace Prison.IpcScript;

/// <summary>Runs IPC script operations against a Prison kernel as <see cref="Proc"/>.</summary>
public sealed class PrisonBackend : IIpcBackend
{
    /// <summary>A back end calling <paramref name="kernel"/> as <paramref name="proc"/>.</summary>
    public PrisonBackend(Kernel kernel, Proc proc)
    {
        Kernel = kernel;
        Proc = proc;
    }

    /// <summary>The kernel.</summary>
    public Kernel Kernel { get; }

    /// <summary>The calling process (the shell may switch it between commands).</summary>
    public Proc Proc { get; set; }
}
