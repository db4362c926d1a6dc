using System.Buffers;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Prison.Core.Threading;

namespace Prison.Core.Jails;

/// <summary>
/// FreeBSD's <c>allprison</c>: every jail by jid, the tree, and the life cycle of references
/// (alive -> dying -> dead). The jail syscalls live in <see cref="JailSyscalls"/>.
/// </summary>
/// <remarks>
/// Locking: <c>_listLock</c> (FreeBSD's <c>allprison_lock</c>, shared-exclusive as the jail services proposal made it)
/// protects <c>_byJid</c>, <c>_lastJid</c> and every jail's <see cref="Jail.ChildrenCur"/>. Lookups and
/// listings share it; inserting and freeing take it exclusively. It is a leaf: no service callback ever
/// runs while it is held. The order of every lock is in the lock key, docs/locking.md.
/// References: a lookup never returns a jail whose last kernel reference is gone (it is being freed), and
/// a reference on a jail found by a lookup is taken only with the refuse-if-freeing primitive
/// (<see cref="Jail.TryHold(out JailReference?)"/>, or <c>Jail.TryAddReference</c> inside the kernel).
/// </remarks>
internal sealed class JailTable
{
    private readonly ReaderWriterLockSlim _listLock = new(LockRecursionPolicy.NoRecursion);
    private readonly Dictionary<int, Jail> _byJid = [];

    /// <summary>The creating or alive jail holding each full name (dying jails give their name up).</summary>
    private readonly Dictionary<string, Jail> _byName = new(StringComparer.Ordinal);
    private readonly Kernel _kernel;
    private readonly ILogger _log;
    private int _lastJid;
    private int _lastDeadJid;

    internal JailTable(Kernel kernel)
    {
        _kernel = kernel;
        _log = kernel.LoggerFactory.CreateLogger("Prison.Jail");
        Prison0 = new Jail(Jail.HostJid, "0", null, JailState.Alive)
        {
            ChildrenMax = Jail.MaxJid,
            Persist = true,
            Table = this,
        };
        Prison0.InitReferences(1);
        Prison0.AddUserReference();
        Prison0.Allow = CoreJailParameters.AllowFlags.Select(p => p.Name).ToAllowSet();
        _byJid[0] = Prison0;
        Parameters = new JailParameterRegistry();
        foreach (var p in CoreJailParameters.All)
            Parameters.Add(p);
        Syscalls = new JailSyscalls(kernel, this);
    }

    /// <summary>prison0, the host.</summary>
    public Jail Prison0 { get; }

    /// <summary>The known jail parameters.</summary>
    public JailParameterRegistry Parameters { get; }

    /// <summary>jail_set, jail_get, jail_attach, jail_remove.</summary>
    internal JailSyscalls Syscalls { get; }

    /// <summary>
    /// <c>security.jail.mount_allowed</c> (the jail services proposal): the legacy default for <c>allow.mount</c> of jails
    /// created without saying.
    /// </summary>
    public bool DefaultMountAllowed { get; set; }

    /// <summary>
    /// The write side of <c>kern.hostname</c> (FreeBSD's sysctl_hostname in kern_mib.c): sets the
    /// caller's own jail's <c>host.hostname</c> (prison0's for the host). Root of a jail needs
    /// <c>allow.set_hostname</c> (EPERM without it); a name of MAXHOSTNAMELEN (256) or more is EINVAL.
    /// A jail with <c>host=inherit</c> shares its parent's host information, so the name is set on the
    /// nearest ancestor with its own and passed down to every jail that inherits it.
    /// </summary>
    internal Errno SetHostname(Procs.Ucred caller, string value)
    {
        var jail = caller.Jail;
        if (!jail.IsHost && !jail.IsAllowed("allow.set_hostname"))
            return Errno.EPERM;
        if (value.Length >= 256)
            return Errno.EINVAL;
        while (jail.HostInherited && jail.Parent is not null)
            jail = jail.Parent;
        lock (jail.Mutex)
            jail.HostName = value;
        JailSetRules.PassHostnameDown(jail, List(jail, includeDying: true));
        return Errno.OK;
    }

    /// <summary>True when the calling thread holds the prison-list lock (tests assert callbacks never do).</summary>
    internal bool IsListLockHeld => _listLock.IsReadLockHeld || _listLock.IsWriteLockHeld;

    /// <summary>Finds a jail by jid in any state but creating and dead (a kernel-internal lookup).</summary>
    public Jail? Find(int jid)
    {
        using (_listLock.EnterReadScope())
        {
            return _byJid.TryGetValue(jid, out var j) && j.State is JailState.Alive or JailState.Dying && j.References > 0 ? j : null;
        }
    }

    /// <summary>
    /// Finds a jail <paramref name="viewer"/> can see (a strict descendant; FreeBSD's
    /// <c>prison_find_child</c>) by jid or by name relative to the viewer. Dying jails only when asked.
    /// </summary>
    public Jail? FindVisible(Jail viewer, string jidOrName, bool includeDying = false)
    {
        using (_listLock.EnterReadScope())
        {
            if (int.TryParse(jidOrName, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var jid))
            {
                return _byJid.TryGetValue(jid, out var byJid) && viewer.IsAncestorOf(byJid) && IsListed(byJid, includeDying)
                    ? byJid : null;
            }
            var full = viewer.IsHost ? jidOrName : viewer.Name + "." + jidOrName;
            // An alive jail wins over dying ones of the same name (a name may be reused while the old jail
            // dies): one hash probe for it, and a scan only when dying jails are asked for.
            if (_byName.TryGetValue(full, out var byName) && byName.State == JailState.Alive && viewer.IsAncestorOf(byName))
                return byName;
            return includeDying
                ? _byJid.Values.Where(j => j.Name == full && IsListed(j, includeDying: true) && j.State == JailState.Dying && viewer.IsAncestorOf(j))
                    .OrderByDescending(j => j.Id).FirstOrDefault()
                : null;
        }
    }

    /// <summary>The jails <paramref name="viewer"/> can see (its descendants), in jid order.</summary>
    public IReadOnlyList<Jail> List(Jail viewer, bool includeDying = false)
    {
        using (_listLock.EnterReadScope())
        {
            return _byJid.Values.Where(j => viewer.IsAncestorOf(j) && IsListed(j, includeDying)).OrderBy(j => j.Id).ToArray();
        }
    }

    /// <summary>Every jail that exists (prison0 included, creating ones excluded), in jid order.</summary>
    internal Jail[] ListAll()
    {
        using (_listLock.EnterReadScope())
        {
            return _byJid.Values.Where(j => j.State is JailState.Alive or JailState.Dying).OrderBy(j => j.Id).ToArray();
        }
    }

    /// <summary>
    /// The same jails as <see cref="ListAll"/>, in an array rented from the shared pool (the
    /// registry walks every jail at each registration; a fresh array per walk is 8 bytes per jail of
    /// garbage). The jid order costs one pass when the table already is in that order (jails created
    /// one after another, the common case) and a sort otherwise. Dispose the list to return the array.
    /// </summary>
    internal PooledJailList ListAllPooled()
    {
        using (_listLock.EnterReadScope())
        {
            var array = ArrayPool<Jail>.Shared.Rent(Math.Max(1, _byJid.Count));
            var count = 0;
            var sorted = true;
            foreach (var j in _byJid.Values)
            {
                if (j.State is not (JailState.Alive or JailState.Dying))
                    continue;
                if (count > 0 && array[count - 1].Id > j.Id)
                    sorted = false;
                array[count++] = j;
            }
            if (!sorted)
                Array.Sort(array, 0, count, JidOrder.Instance);
            return new PooledJailList(array, count);
        }
    }

    private sealed class JidOrder : IComparer<Jail>
    {
        public static readonly JidOrder Instance = new();

        public int Compare(Jail? x, Jail? y) => x!.Id.CompareTo(y!.Id);
    }

    /// <summary>
    /// Inserts a jail in the <see cref="JailState.Creating"/> state: it holds its jid and name and counts
    /// against its ancestors' <c>children.max</c>, but lookups do not see it.
    /// </summary>
    /// <param name="parent">The new jail's parent.</param>
    /// <param name="name">The full name, or "" for a jail named by its jid.</param>
    /// <param name="requestedJid">The jid asked for, or 0 for the next free one.</param>
    /// <param name="limitFrom">
    /// The caller's jail: <c>children.max</c> is counted on its chain up to prison0, not on the parent's
    /// (kern_jail_set loops <c>for (tpr = mypr; ...)</c>), while the new jail is counted in every
    /// ancestor's <c>children.cur</c>.
    /// </param>
    internal SysResult<Jail> InsertPlaceholder(Jail parent, string name, int requestedJid, Jail limitFrom)
    {
        using (_listLock.EnterWriteScope())
        {
            if (!parent.IsAlive)
                return SysResult<Jail>.Fail(Errno.ENOENT, $"jail \"{parent.Name}\" not found");
            if (_byName.ContainsKey(name))
                return SysResult<Jail>.Fail(Errno.EEXIST, $"jail \"{name}\" already exists");
            for (var p = limitFrom; p is not null; p = p.Parent)
            {
                if (p.ChildrenCur >= p.ChildrenMax)
                    return SysResult<Jail>.Fail(Errno.EPERM, "prison limit exceeded");
            }
            int jid;
            if (requestedJid > 0)
            {
                if (_byJid.TryGetValue(requestedJid, out var holder))
                {
                    if (holder.State != JailState.Dying)
                        return SysResult<Jail>.Fail(Errno.EEXIST, $"jail {requestedJid} already exists");
                    // A dying jail gives its jid up: FreeBSD renumbers it from the top of the range down.
                    if (AllocateDeadJid() is not { } deadId)
                        return SysResult<Jail>.Fail(Errno.EAGAIN, "no available jail IDs");
                    _byJid.Remove(requestedJid);
                    holder.Id = deadId;
                    _byJid[deadId] = holder;
                }
                jid = requestedJid;
            }
            else if (AllocateJid() is { } free)
            {
                jid = free;
            }
            else
            {
                return SysResult<Jail>.Fail(Errno.EAGAIN, "no free jail id");
            }
            var jail = new Jail(jid, name == "" ? jid.ToString(System.Globalization.CultureInfo.InvariantCulture) : name, parent, JailState.Creating)
            {
                Table = this,
            };
            jail.InitReferences(1);
            _byJid[jid] = jail;
            _byName[jail.Name] = jail;
            for (var p = parent; p is not null; p = p.Parent)
                p.ChildrenCur++;
            parent.Hold();
            return SysResult<Jail>.Success(jail);
        }
    }

    /// <summary>
    /// Renames an alive jail to <paramref name="newFullName"/> and every descendant with it (FreeBSD's
    /// "Change this component of child names"). EEXIST when an alive jail holds the name
    /// (<paramref name="shownName"/> is the name as the caller wrote it), ENAMETOOLONG when a
    /// descendant's new name would pass 255 characters; nothing changes on failure.
    /// </summary>
    internal SysResult<int> Rename(Jail jail, string newFullName, string shownName)
    {
        using (_listLock.EnterWriteScope())
        {
            if (!jail.IsAlive)
                return SysResult<int>.Fail(Errno.ENOENT, $"jail {jail.Id} not found");
            if (_byName.TryGetValue(newFullName, out var holder) && !ReferenceEquals(holder, jail))
                return SysResult<int>.Fail(Errno.EEXIST, $"jail \"{shownName}\" already exists");
            var old = jail.Name;
            var affected = _byJid.Values.Where(jail.IsSelfOrAncestorOf).ToArray();
            if (affected.Any(j => newFullName.Length + j.Name.Length - old.Length > 255))
                return SysResult<int>.Fail(Errno.ENAMETOOLONG, "name: too long");
            foreach (var j in affected)
                ForgetName(j);
            foreach (var j in affected)
            {
                j.Name = newFullName + j.Name[old.Length..];
                if (j.State is JailState.Alive or JailState.Creating)
                    _byName[j.Name] = j;
            }
            return SysResult<int>.Success(jail.Id);
        }
    }

    /// <summary>Undoes <see cref="InsertPlaceholder"/> for a creation that failed.</summary>
    internal void DropPlaceholder(Jail jail)
    {
        Unlink(jail);
        jail.Parent!.Release();
    }

    /// <summary>Makes a created jail visible.</summary>
    internal void Publish(Jail jail)
    {
        using (_listLock.EnterWriteScope())
        {
            jail.SetState(JailState.Alive);
        }
        _log.LogDebug("jail {Jid} {Name} created under {Parent}", jail.Id, jail.Name, jail.Parent!.Id);
        jail.Parent.Watchers.Post(new Descriptors.JailEvent(Descriptors.JailEventKind.ChildCreated, jail.Id, 0, false));
    }

    /// <summary>Drops a process's (or persist's) user reference; the last one starts the jail dying.</summary>
    /// <remarks>
    /// The count reaches 0 and the jail turns dying under its mutex, the lock <c>jail_attach</c> and spawn
    /// check <see cref="Jail.IsAlive"/> under: a process can never join a jail whose last user reference is
    /// being dropped (FreeBSD's <c>prison_proc_free</c> / <c>prison_deref</c> with <c>pr_mtx</c>).
    /// </remarks>
    internal void DropUserReference(Jail jail)
    {
        bool droppedPersist;
        lock (jail.Mutex)
        {
            if (jail.DropUserReference() != 0 || !MarkDyingLocked(jail, out droppedPersist))
                return;
        }
        FinishDying(jail, droppedPersist, killProcesses: false);
    }

    /// <summary>
    /// alive -> dying: marks the jail, kills its processes (jail_remove), runs every service's
    /// <c>remove</c> method, and drops the alive reference. Idempotent.
    /// </summary>
    internal void BeginDying(Jail jail, bool killProcesses)
    {
        bool droppedPersist;
        lock (jail.Mutex)
        {
            if (!MarkDyingLocked(jail, out droppedPersist))
                return;
        }
        FinishDying(jail, droppedPersist, killProcesses);
    }

    /// <summary>The alive -> dying transition, under the jail's mutex; false when the jail was not alive.</summary>
    private static bool MarkDyingLocked(Jail jail, out bool droppedPersist)
    {
        Debug.Assert(jail.Mutex.IsHeldByCurrentThread, "the jail mutex protects the alive -> dying transition");
        droppedPersist = false;
        if (jail.IsHost || jail.State != JailState.Alive)
            return false;
        jail.SetState(JailState.Dying);
        droppedPersist = jail.Persist;
        jail.Persist = false;
        return true;
    }

    private void FinishDying(Jail jail, bool droppedPersist, bool killProcesses)
    {
        using (_listLock.EnterWriteScope())
        {
            ForgetName(jail);
        }
        if (droppedPersist)
            jail.DropUserReference();
        if (killProcesses)
            _kernel.Processes.KillJail(jail);
        var services = _kernel.Services;
        using (services.ServicesLock.EnterReadScope())
        {
            services.RemoveAll(jail);
        }
        _log.LogDebug("jail {Jid} {Name} is dying", jail.Id, jail.Name);
        jail.Watchers.Post(new Descriptors.JailEvent(Descriptors.JailEventKind.Removed, jail.Id, 0, false));
        jail.Release();
    }

    /// <summary>The last reference went: destroy callbacks, then the jid is free.</summary>
    internal void Free(Jail jail)
    {
        // TryAddReference refuses a jail at 0 references, so this runs once; a second call is a reference-count
        // bug (a double release), and tearing the jail down twice would corrupt its parent's counts.
        if (!jail.MarkFreed())
            throw new InvalidOperationException($"{jail}: freed twice");
        var services = _kernel.Services;
        using (services.ServicesLock.EnterReadScope())
        {
            services.DestroyAll(jail);
        }
        Unlink(jail);
        _kernel.Racct.JailFreed(jail);
        _log.LogDebug("jail {Jid} {Name} freed", jail.Id, jail.Name);
        jail.Parent?.Release();
    }

    private void Unlink(Jail jail)
    {
        using (_listLock.EnterWriteScope())
        {
            jail.SetState(JailState.Dead);
            _byJid.Remove(jail.Id);
            ForgetName(jail);
            for (var p = jail.Parent; p is not null; p = p.Parent)
                p.ChildrenCur--;
        }
    }

    /// <summary>Frees the jail's name for reuse; called with the list lock held exclusively.</summary>
    private void ForgetName(Jail jail)
    {
        Debug.Assert(_listLock.IsWriteLockHeld, "a name is forgotten under the prison-list lock held exclusively");
        if (_byName.TryGetValue(jail.Name, out var holder) && ReferenceEquals(holder, jail))
            _byName.Remove(jail.Name);
    }

    /// <summary>The lowest free jid above the last one handed out, wrapping to 1 (never 0).</summary>
    private int? AllocateJid()
    {
        Debug.Assert(_listLock.IsWriteLockHeld, "a jid is allocated under the prison-list lock held exclusively");
        var candidate = _lastJid;
        for (var tries = 0; tries < Jail.MaxJid; tries++)
        {
            candidate = candidate >= Jail.MaxJid ? 1 : candidate + 1;
            if (!_byJid.ContainsKey(candidate))
            {
                _lastJid = candidate;
                return candidate;
            }
        }
        return null;
    }

    /// <summary>
    /// A jid for a renumbered dying jail: the highest free one below the last given out this way
    /// (FreeBSD's <c>get_next_deadid</c>), wrapping back to <see cref="Jail.MaxJid"/>.
    /// </summary>
    private int? AllocateDeadJid()
    {
        Debug.Assert(_listLock.IsWriteLockHeld, "a jid is allocated under the prison-list lock held exclusively");
        var candidate = _lastDeadJid;
        for (var tries = 0; tries < Jail.MaxJid; tries++)
        {
            candidate = candidate <= 1 ? Jail.MaxJid : candidate - 1;
            if (!_byJid.ContainsKey(candidate))
            {
                _lastDeadJid = candidate;
                return candidate;
            }
        }
        return null;
    }

    /// <summary>
    /// Alive, or dying when asked, and not being freed: a jail whose last reference is gone is invisible,
    /// as FreeBSD's <c>prison_isvalid</c> hides a prison with <c>pr_ref</c> 0 (its destroy callbacks run).
    /// </summary>
    private static bool IsListed(Jail j, bool includeDying) =>
        j.State == JailState.Alive || (includeDying && j.State == JailState.Dying && j.References > 0);
}
