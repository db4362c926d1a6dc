using Prison.Core.Jails;
using Prison.Core.Procs;

namespace Prison.Core.Descriptors;

/// <summary>Rights a jail descriptor carries (Capsicum-like); they can only be narrowed.</summary>
[Flags]
public enum JailDescRights
{
    /// <summary>No right.</summary>
    None = 0,
    /// <summary>jail_attach_jd.</summary>
    Attach = 1,
    /// <summary>jail_remove_jd.</summary>
    Remove = 2,
    /// <summary>jail_set with USE_DESC.</summary>
    Set = 4,
    /// <summary>Every right.</summary>
    All = Attach | Remove | Set,
}

/// <summary>
/// A jail descriptor (FreeBSD 15's <c>jaildesc</c>): refers to one jail for its whole life, even after
/// its jid is reused; holds a kernel reference, so a removed jail stays dying (not freed) while a
/// descriptor names it. Operations through it are checked against the credential of the process that
/// created it. An owning descriptor removes its jail at the last close.
/// </summary>
internal sealed class JailDescriptor : KernelFile
{
    private readonly Kernel _kernel;
    private readonly JailReference _reference;
    private int _rights;

    /// <summary>Builds a descriptor on a reference the caller has just taken (it becomes the descriptor's).</summary>
    private JailDescriptor(Kernel kernel, JailReference reference, Ucred creator, bool owning)
    {
        _kernel = kernel;
        _reference = reference;
        Jail = reference.Jail;
        Creator = creator;
        Owning = owning;
        _rights = (int)JailDescRights.All;
    }

    /// <summary>
    /// A descriptor on <paramref name="jail"/>, found by a lookup: null when the jail is being freed (its
    /// last reference is gone) or dead, which the syscalls report as ENOENT. The descriptor's reference is
    /// taken with <see cref="Jail.TryHold(out JailReference?)"/>, so a jail being freed is never brought back,
    /// and given back once, at the last close.
    /// </summary>
    internal static JailDescriptor? TryOpen(Kernel kernel, Jail jail, Ucred creator, bool owning) =>
        jail.TryHold(out var reference) ? new JailDescriptor(kernel, reference, creator, owning) : null;

    /// <inheritdoc />
    public override string Kind => "jail";

    /// <summary>The jail, alive or not.</summary>
    public Jail Jail { get; }

    /// <summary>The credential of the process that created the descriptor.</summary>
    public Ucred Creator { get; }

    /// <summary>True for an owning descriptor (JAIL_OWN_DESC).</summary>
    public bool Owning { get; }

    /// <summary>The rights left.</summary>
    public JailDescRights Rights => (JailDescRights)Volatile.Read(ref _rights);

    /// <summary>Completes with <see cref="PollEvents.Hup"/> once the jail is removed.</summary>
    public Task<PollEvents> Removed => Jail.Watchers.Removed;

    /// <summary>Narrows the rights; ENOTCAPABLE when <paramref name="rights"/> would add one.</summary>
    public Errno Limit(JailDescRights rights)
    {
        while (true)
        {
            var current = Volatile.Read(ref _rights);
            if ((rights & ~(JailDescRights)current) != 0)
                return Errno.ENOTCAPABLE;
            if (Interlocked.CompareExchange(ref _rights, (int)rights, current) == current)
                return Errno.OK;
        }
    }

    /// <summary>Subscribes to the jail's events; a removed jail delivers <see cref="JailEventKind.Removed"/> at once.</summary>
    public JailEventStream Watch() => Jail.Watchers.Subscribe(Jail);

    /// <inheritdoc />
    protected override void OnLastClose()
    {
        if (Owning && Jail.IsAlive)
            _kernel.Jails.Syscalls.RemoveTree(Jail);
        _reference.Dispose();
    }
}
