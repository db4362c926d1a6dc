namespace Prison.Core.Modules;

/// <summary>
/// Read access to the kernel environment (FreeBSD's <c>kern_getenv</c> / <c>TUNABLE_*_FETCH</c>): the
/// loader tunables a module reads, such as <c>kern.ipc.shmmni</c>. Each read sees the current value, so
/// a module may read a tunable again later (at unload, in a callback). Writing is kenv(1)'s, not a
/// module's. Handed out by <see cref="ModuleContext.Tunables"/>.
/// </summary>
public sealed class TunableReader
{
    private readonly Kenv _kenv;

    internal TunableReader(Kenv kenv) => _kenv = kenv;

    /// <summary>The value of <paramref name="name"/>, or null when it is not set. Lock-free.</summary>
    public string? Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _kenv.Get(name);
    }
}
