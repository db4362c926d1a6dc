using Prison.Core.Jails;
using Prison.Core.Modules;
using Prison.Core.Services;

namespace Prison.Core.Ipc.Sysv;

/// <summary>
/// The per-jail namespace of one System V IPC kind, shared by the sysvshm, sysvsem and sysvmsg
/// modules: the <c>sysvshm</c>-style jail parameter (<c>disable | inherit | new</c>) and its rules,
/// kept in a jail service slot whose value is the jail's namespace root (null when disabled).
/// </summary>
/// <remarks>
/// Rules (FreeBSD 11+ sysv_*.c): a new jail is <c>disable</c> unless <c>allow.sysvipc</c> is set (then
/// <c>inherit</c>); <c>new</c> and <c>inherit</c> need a parent that is not disabled (EPERM); leaving
/// <c>new</c> or disabling removes the objects the jail created; descendants that inherited follow, and
/// disabling disables every descendant. Loaded with jails alive (FreeBSD's <c>shminit</c>): jails with
/// <c>allow.sysvipc</c> inherit, others are disabled; prison0 is always its own namespace.
/// </remarks>
public sealed class SysvNamespaces
{
    private readonly JailLookup _jails;
    private readonly string _parameter;
    private readonly Action<Jail> _cleanup;
    private ServiceSlot<Jail> _slot = null!;

    private SysvNamespaces(JailLookup jails, string parameter, Action<Jail> cleanup)
    {
        _jails = jails;
        _parameter = parameter;
        _cleanup = cleanup;
    }

    /// <summary>The parameter name (<c>sysvshm</c>).</summary>
    public string Parameter => _parameter;

    /// <summary>The module's jail lookups (for the snapshot's walk over every jail).</summary>
    internal JailLookup Jails => _jails;

    /// <summary>
    /// Registers the service and its parameter through the module's registrar.
    /// </summary>
    /// <param name="context">The module's registrar.</param>
    /// <param name="parameter">The jail parameter, also the service name (<c>sysvshm</c>).</param>
    /// <param name="description">The parameter's description.</param>
    /// <param name="cleanup">Removes every object whose creator is the given jail (FreeBSD's
    /// <c>shm_prison_cleanup</c>); called when the jail leaves <c>new</c>, is disabled, or dies with its own
    /// namespace. It runs under the services lock (shared) and must not create or remove jails.</param>
    /// <param name="attach">An optional <c>attach</c> method (sysvshm refuses processes holding attachments).</param>
    public static SysvNamespaces Register(ModuleContext context, string parameter, string description, Action<Jail> cleanup,
        JailMethod<Jail>? attach = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        var ns = new SysvNamespaces(context.Jails, parameter, cleanup);
        ns._slot = context.RegisterService(new JailServiceDefinition<Jail>
        {
            Name = parameter,
            Create = ns.Create,
            Check = ns.Check,
            Set = ns.Set,
            Get = ns.Get,
            Remove = ns.Remove,
            Attach = attach,
            Parameters = [new JailParameter(parameter, JailParamType.Choice, description) { Choices = JailSysModes.Names }],
        });
        return ns;
    }

    /// <summary>The namespace root of <paramref name="jail"/>, or null when the kind is disabled there. Lock-free.</summary>
    public Jail? RootOf(Jail jail) => _slot.Get(jail);

    /// <summary>
    /// Whether a new object may be created in <paramref name="jail"/> now: the kind is enabled there and the
    /// jail is alive. A module calls it under its module lock, right before it creates an object, after
    /// its lock-free checks. The jail cleanup (the jail removed, or leaving <c>new</c> or disabled) takes
    /// that same lock, so an object created after it ran would escape it: it would hold its jail dying for
    /// ever and keep its racct charge. False for a dying jail: its processes were killed, so the caller is
    /// one of them, still on its way out.
    /// </summary>
    public bool MayCreateIn(Jail jail)
    {
        ArgumentNullException.ThrowIfNull(jail);
        return RootOf(jail) is not null && jail.IsAlive;
    }

    /// <summary>The jail's mode: disable, inherit (root is an ancestor) or new (root is itself).</summary>
    internal JailSysMode ModeOf(Jail jail) => RootOf(jail) switch
    {
        null => JailSysMode.Disable,
        var root when ReferenceEquals(root, jail) => JailSysMode.New,
        _ => JailSysMode.Inherit,
    };

    /// <summary>
    /// True when a caller whose namespace root is <paramref name="root"/> can see an object created in
    /// <paramref name="creator"/> (the creator is the root or one of its descendants). Others see nothing:
    /// the object answers as absent (EINVAL), never EACCES.
    /// </summary>
    public static bool CanSee(Jail root, Jail creator) => root.IsSelfOrAncestorOf(creator);

    /// <summary>Key lookups match only objects created in the caller's own jail (FreeBSD 11+).</summary>
    public static bool KeyMatches(Jail caller, Jail creator) => ReferenceEquals(caller, creator);

    /// <summary>The key a viewer is shown: the real key only in the creator's own jail, else IPC_PRIVATE.</summary>
    public static int KeyAsSeenBy(Jail viewer, Jail creator, int key) => ReferenceEquals(viewer, creator) ? key : IpcConstants.IPC_PRIVATE;

    private Jail? Create(Jail jail, JailParams? creationParams)
    {
        if (jail.IsHost)
            return jail;
        if (creationParams is null)
            return LegacyRoot(jail);
        var mode = JailSysModes.Parse(creationParams[_parameter])
            ?? (jail.IsAllowed("allow.sysvipc") ? JailSysMode.Inherit : JailSysMode.Disable);
        return RootFor(jail, mode);
    }

    private Errno Check(in JailMethodArgs<Jail> args)
    {
        var mode = JailSysModes.Parse(args.Params[_parameter]);
        if (mode is JailSysMode.New or JailSysMode.Inherit && args.Jail.Parent is { } parent && RootOf(parent) is null)
        {
            args.Params["errmsg"] = $"{_parameter}: the parent jail has it disabled";
            return Errno.EPERM;
        }
        return Errno.OK;
    }

    private Errno Set(in JailMethodArgs<Jail> args)
    {
        var jail = args.Jail;
        if (jail.State == JailState.Creating)
            return Errno.OK; // Create already applied the creation parameters.
        var mode = JailSysModes.Parse(args.Params[_parameter]);
        if (mode is null && args.Params["allow.sysvipc"] is { } legacy)
            mode = legacy == "true" ? JailSysMode.Inherit : JailSysMode.Disable;
        if (mode is null)
            return Errno.OK;
        Change(jail, RootFor(jail, mode.Value), disableAll: mode == JailSysMode.Disable);
        return Errno.OK;
    }

    private Errno Get(in JailMethodArgs<Jail> args)
    {
        if (args.Params.Contains(_parameter))
            args.Params[_parameter] = ModeOf(args.Jail).ToParam();
        return Errno.OK;
    }

    private Errno Remove(in JailMethodArgs<Jail> args)
    {
        if (ReferenceEquals(RootOf(args.Jail), args.Jail))
            _cleanup(args.Jail);
        return Errno.OK;
    }

    private void Change(Jail jail, Jail? newRoot, bool disableAll)
    {
        var oldRoot = RootOf(jail);
        if (ReferenceEquals(oldRoot, newRoot))
            return;
        _slot.Set(jail, newRoot);
        if (ReferenceEquals(oldRoot, jail))
            _cleanup(jail);
        // Parents before children, so each descendant sees its parent's new value.
        foreach (var d in _jails.List(jail, includeDying: true).OrderBy(j => j.Depth))
        {
            var dRoot = RootOf(d);
            if (dRoot is null)
                continue;
            if (disableAll)
            {
                _slot.Set(d, null);
                if (ReferenceEquals(dRoot, d))
                    _cleanup(d);
            }
            else if (ReferenceEquals(dRoot, oldRoot))
            {
                _slot.Set(d, newRoot);
            }
        }
    }

    private Jail? RootFor(Jail jail, JailSysMode mode) => mode switch
    {
        JailSysMode.New => jail,
        JailSysMode.Inherit => RootOf(jail.Parent!),
        _ => null,
    };

    private static Jail? LegacyRoot(Jail jail)
    {
        if (jail.IsHost)
            return jail;
        return jail.IsAllowed("allow.sysvipc") ? LegacyRoot(jail.Parent!) : null;
    }
}
