using Prison.Core.Procs;

namespace Prison.Core.Modules;

public sealed partial class ModuleManager
{
    /// <summary>
    /// kldload NAME|PATH: finds the plugin on <see cref="ModulePath"/> (or at PATH), loads it on its own
    /// collectible load context and calls its load hook.
    /// </summary>
    public SysResult<LoadedModule> Load(Ucred caller, string nameOrPath)
    {
        ArgumentNullException.ThrowIfNull(caller);
        return SysResult<LoadedModule>.Fail(Errno.ENOSYS, $"loading {nameOrPath} from a file is not available yet");
    }
}
