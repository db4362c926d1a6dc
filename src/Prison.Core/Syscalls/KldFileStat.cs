using Prison.Core.Modules;

namespace Prison.Core.Syscalls;

/// <summary>
/// One linker file as kldstat(2) reports it (FreeBSD's <c>struct kld_file_stat</c>): a copy of the
/// kernel's record, holding nothing of the module, so a caller can neither reach the module's registrar
/// nor keep an unloaded plugin alive.
/// </summary>
/// <param name="Id">The file id (1 is the kernel itself; modules start at 2).</param>
/// <param name="Refs">References: 1, plus one per loaded module that depends on this one (the kernel: 1 plus one per loaded module).</param>
/// <param name="Name">The module name (<c>kernel</c> for id 1).</param>
/// <param name="Version">The module's version.</param>
/// <param name="PathName">The file it was loaded from; null for the kernel and for a module linked into the host.</param>
/// <param name="State">Loaded, being unloaded, or leaked (unloaded but its load context not collected): Prison's addition.</param>
/// <param name="Registrations">What the module has registered, in order (kldstat -v's "Contains modules"); empty once unloaded.</param>
/// <param name="DependsOn">The modules this one needs.</param>
public sealed record KldFileStat(
    int Id,
    int Refs,
    string Name,
    Version Version,
    string? PathName,
    ModuleState State,
    IReadOnlyList<string> Registrations,
    IReadOnlyList<string> DependsOn);
