using Prison.Core;
using Prison.Core.Jails;
using Prison.Core.Procs;

namespace Prison.Benchmarks.Infrastructure;

/// <summary>
/// A Prison kernel with the System V plugins kldloaded from their files (as a user loads them, on
/// collectible contexts), a jail with its own namespaces, and root processes in it.
/// </summary>
internal sealed class PrisonIpcKernel : IDisposable
{
    public PrisonIpcKernel(IReadOnlyDictionary<string, string>? tunables = null, params string[] modules)
    {
        Kernel = new Kernel(new KernelOptions { ModulePath = PluginFolder.Path });
        foreach (var (name, value) in tunables ?? new Dictionary<string, string>())
            Kernel.Kenv.Set(name, value);
        _modules = modules.Length == 0 ? ["sysvshm", "sysvsem", "sysvmsg"] : modules;
        foreach (var m in _modules)
        {
            var r = Kernel.Modules.Load(Kernel.Init.Cred, m);
            if (!r.Ok)
                throw new InvalidOperationException($"kldload {m}: {r}");
        }
        Jail = NewJail("bench");
        Proc = RootIn(Jail);
    }

    private readonly string[] _modules;

    public Kernel Kernel { get; }

    /// <summary>A jail with its own namespace for each loaded module (sysvshm=new, ...).</summary>
    public Jail Jail { get; }

    /// <summary>A root process in <see cref="Jail"/>.</summary>
    public Proc Proc { get; }

    public Jail NewJail(string name)
    {
        var p = new JailParams { ["name"] = name, ["persist"] = null };
        foreach (var m in _modules)
            p[m] = "new"; // each System V module's jail parameter is named after it
        var r = Kernel.Syscalls.JailSet(Kernel.Init, p, JailFlags.Create);
        if (!r.Ok)
            throw new InvalidOperationException($"jail -c {name}: {r}");
        return Kernel.Jails.Find(r.Value)!;
    }

    public Proc RootIn(Jail jail) => Kernel.Processes.Spawn(Ucred.Root(jail), "bench", Kernel.Init).Value;

    public void Dispose() => Kernel.Dispose();
}
