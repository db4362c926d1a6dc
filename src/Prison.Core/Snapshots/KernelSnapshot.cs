using System.Collections.Concurrent;
using System.Globalization;
using Prison.Core.Jails;
using Prison.Core.Procs;

namespace Prison.Core.Snapshots;

/// <summary>
/// The kernel snapshot: a deterministic, ordered, human-readable dump of modules, services, jails
/// (every registered parameter, as the host sees it), processes, sysctls that differ from their value
/// at registration, and every registered <see cref="ISnapshotProvider"/>.
/// </summary>
internal sealed class KernelSnapshot
{
    private readonly Kernel _kernel;
    private readonly ConcurrentDictionary<string, ISnapshotProvider> _providers = new(StringComparer.Ordinal);

    internal KernelSnapshot(Kernel kernel) => _kernel = kernel;

    /// <summary>Adds a provider; EEXIST when the name is taken.</summary>
    public Errno Register(ISnapshotProvider provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        return _providers.TryAdd(provider.Name, provider) ? Errno.OK : Errno.EEXIST;
    }

    /// <summary>Removes a provider.</summary>
    public bool Unregister(string name) => _providers.TryRemove(name, out _);

    /// <summary>
    /// The snapshot text. <paramref name="only"/> limits it to one section: <c>kernel</c> or a provider name.
    /// </summary>
    public string Take(string? only = null)
    {
        var w = new SnapshotWriter();
        if (only is null or "kernel")
            WriteKernel(w);
        foreach (var provider in _providers.Values.OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            if (only is not null && only != provider.Name)
                continue;
            using (w.Section(provider.Name))
                provider.Write(w);
        }
        return w.ToString();
    }

    private void WriteKernel(SnapshotWriter w)
    {
        using var _ = w.Section("kernel");
        using (w.Section("modules"))
        {
            foreach (var m in _kernel.Modules.List())
                w.Line($"{m.Name} v{m.Version} id={m.Id} refs={m.References} state={m.State}");
        }
        using (w.Section("services"))
        {
            foreach (var s in _kernel.Services.Registered)
                w.Line($"slot {s.Index}: {s.Name}");
        }
        var root = _kernel.Init;
        var names = _kernel.Jails.Parameters.All
            .Where(p => p.Name is not ("lastjid" or "errmsg" or "jid" or "name"))
            .Select(p => p.Name).ToArray();
        using (w.Section("jails"))
        {
            w.Line($"0 prison0 children.cur={_kernel.Prison0.ChildrenCur}");
            foreach (var jail in _kernel.Jails.List(_kernel.Prison0, includeDying: true))
            {
                var request = new JailParams { ["jid"] = jail.Id.ToString(CultureInfo.InvariantCulture) };
                foreach (var n in names)
                    request[n] = null;
                var got = _kernel.Jails.Syscalls.Get(root, request, JailFlags.Dying);
                var values = got.Ok
                    ? string.Join(' ', got.Value.Where(kv => kv.Key != "jid").Select(kv => $"{kv.Key}={kv.Value}"))
                    : "error " + got.Error.Name();
                w.Line($"{jail.Id} {jail.Name} state={jail.State} refs={jail.References} urefs={jail.UserReferences} {values}");
            }
        }
        using (w.Section("processes"))
        {
            foreach (var p in _kernel.Processes.All)
                w.Line($"pid {p.Pid} jail {p.Jail.Id} uid {p.Cred.Uid} gid {p.Cred.Gid} {p.Command}");
        }
        using (w.Section("sysctl (changed)"))
        {
            foreach (var (name, value) in _kernel.Sysctl.Changed(Ucred.Root(_kernel.Prison0)))
                w.Line($"{name}={value}");
        }
    }
}
