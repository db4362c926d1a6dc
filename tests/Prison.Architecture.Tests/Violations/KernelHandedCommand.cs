using Prison.Core;

namespace Prison.Architecture.Tests.Violations;

/// <summary>
/// A deliberate breach for the control test in <see cref="CliBoundaryTests"/>: a "command" that is given
/// the <see cref="Kernel"/> and walks the process table itself, as <c>ps</c> once did. Nothing runs it.
/// </summary>
internal static class KernelHandedCommand
{
    public static int Run(Kernel kernel) => kernel.Processes.All.Count;
}
