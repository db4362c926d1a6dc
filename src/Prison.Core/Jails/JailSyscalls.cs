using System.Diagnostics;
using System.Globalization;
using Prison.Core.Descriptors;
using Prison.Core.Procs;
using Prison.Core.Services;
using Prison.Core.Threading;

namespace Prison.Core.Jails;

/// <summary>
/// The jail syscalls: <c>jail_set</c>, <c>jail_get</c>, <c>jail_attach</c>, <c>jail_remove</c>, with
/// FreeBSD's privilege rules: root of the host, or root of a jail acting on its descendants within
/// <c>children.max</c>. Failures carry a jail(8)-style message in <see cref="SysResult{T}.Message"/>.
/// </summary>
internal sealed class JailSyscalls
{
    private const JailFlags SetFlags = JailFlags.Create | JailFlags.Update | JailFlags.Attach | JailFlags.Dying;
    private const JailFlags DescFlags = JailFlags.UseDesc | JailFlags.AtDesc | JailFlags.GetDesc | JailFlags.OwnDesc;
    private readonly Kernel _kernel;
    private readonly JailTable _table;

    /// <summary>
    /// The jail_set lock (the exclusive half of FreeBSD's <c>allprison_lock</c>): held across every
    /// <c>jail_set</c> and <c>jail_remove</c>, so each is atomic with respect to the others. Reentrant: a
    /// removal kills processes, and a process's last close of an owning descriptor removes its jail.
    /// It comes before the services lock (docs/locking.md, the lock key).
    /// </summary>
    private readonly Lock _setLock = new();

    internal JailSyscalls(Kernel kernel, JailTable table)
    {
        _kernel = kernel;
        _table = table;
    }

    /// <summary>
    /// jail_set(2): creates a jail (<see cref="JailFlags.Create"/>), updates one (<see cref="JailFlags.Update"/>),
    /// and optionally attaches the caller (<see cref="JailFlags.Attach"/>). The jail is named by <c>jid</c>
    /// or <c>name</c> (relative to the caller's jail; dots name the parent: <c>pg.child</c>).
    /// Follows FreeBSD's <c>kern_jail_set()</c> rule by rule (<see cref="JailSetRules"/>; docs/cli.md has
    /// the table): EPERM without a message for a caller that may not set or whose jail has
    /// <c>children.max</c> 0, for <c>children.max</c> not below the parent's, <c>enforce_statfs</c> below
    /// it and an <c>allow.*</c> flag the parent lacks; EPERM "prison limit exceeded" counted on the caller's
    /// chain; EINVAL "new jail must persist or attach", "name cannot be numeric (unless it is the jid)",
    /// "cannot change jail's parent"; EEXIST / ENOENT for names and jids (a dying jail's name is free, its
    /// jid taken over by renumbering it); EAGAIN from a dying jail. An update by jid with a new name
    /// renames the jail and its descendants, and an update passes <c>children.max</c>,
    /// <c>enforce_statfs</c>, cleared <c>allow.*</c> flags and <c>host.hostname</c> (to <c>host=inherit</c>
    /// jails) down to the descendants.
    /// </summary>
    /// <returns>
    /// The jid. Nothing changes on failure: a create leaves no jail, and an update that a service's
    /// <c>check</c> refuses changes nothing. When a service's <c>set</c> refuses an update, the core
    /// parameters (<c>host.hostname</c>, <c>children.max</c>, <c>enforce_statfs</c>, <c>persist</c>,
    /// <c>allow.*</c>) are restored (FreeBSD keeps them); a service whose <c>set</c> already ran in the same
    /// call keeps its change, as in FreeBSD (osd methods have no undo), so services validate in
    /// <c>check</c> and do not fail in <c>set</c>.
    /// </returns>
    /// <remarks>
    /// Serialized with every other <c>jail_set</c> and <c>jail_remove</c> (FreeBSD holds
    /// <c>allprison_lock</c> exclusively across <c>kern_jail_set</c>): the checks against the parent
    /// and the changes they allow are one step, so a parent cannot give up a namespace while a child is
    /// created inheriting it. Lookups, <c>jail_get</c> and jls do not wait for it.
    /// </remarks>
    public SysResult<int> Set(Proc caller, JailParams parameters, JailFlags flags)
    {
        lock (_setLock)
            return SetLocked(caller, parameters, flags);
    }

    private SysResult<int> SetLocked(Proc caller, JailParams parameters, JailFlags flags)
    {
        Debug.Assert(_setLock.IsHeldByCurrentThread, "jail_set runs under the jail_set lock (docs/locking.md)");
        ArgumentNullException.ThrowIfNull(parameters);
        if ((flags & ~(SetFlags | DescFlags)) != 0 || (flags & (JailFlags.Create | JailFlags.Update)) == 0)
            return SysResult<int>.Fail(Errno.EINVAL, "flags must include create or update");
        var ctx = ResolveDesc(caller, parameters, flags);
        if (!ctx.Ok)
            return SysResult<int>.Fail(ctx.Error, ctx.Message);
        var (cred, viewer, used) = ctx.Value;
        if (Priv.Check(cred, Privilege.JailSet) != Errno.OK)
            return SysResult<int>.Fail(Errno.EPERM); // priv_check fails before any option is read: no errmsg
        var mayCreate = JailSetRules.CallerMayCreate(viewer, flags);
        if (!mayCreate.Ok)
            return mayCreate;
        if ((flags & JailFlags.OwnDesc) != 0 && Priv.Check(caller.Cred, Privilege.JailRemove) != Errno.OK)
            return SysResult<int>.Fail(Errno.EPERM, "an owning descriptor needs the right to remove the jail");
        var input = new JailParams(parameters.Where(kv => kv.Key != "desc"));
        var parsed = Normalize(input, forSet: true);
        if (!parsed.Ok)
            return SysResult<int>.Fail(parsed.Error, parsed.Message);
        var p = parsed.Value;
        var rule = JailSetRules.NewJailMustPersistOrAttach(p, flags);
        if (!rule.Ok)
            return rule;
        if (!viewer.IsAlive)
            return SysResult<int>.Fail(Errno.EAGAIN); // "This jail is dying. This process will surely follow."

        var jid = 0;
        if (p["jid"] is { } jidText)
        {
            jid = int.Parse(jidText, CultureInfo.InvariantCulture);
            if (jid == 0)
                return SysResult<int>.Fail(Errno.EINVAL, "jid 0 is the host and cannot be set");
            if (jid < 0)
                return SysResult<int>.Fail(Errno.EINVAL, "negative jid");
            if (jid > Jail.MaxJid)
                return SysResult<int>.Fail(Errno.EINVAL, "jid out of range");
        }
        var name = p["name"];
        if (jid == 0)
            jid = JailSetRules.JidFromName(name, flags);
        if (name is not null)
        {
            var nameCheck = ValidateName(name);
            if (!nameCheck.Ok)
                return nameCheck;
        }

        SysResult<int> result;
        if (used is not null && (flags & JailFlags.UseDesc) != 0)
        {
            // The descriptor names the jail: it exists by definition, and jid/name may only repeat it.
            if ((flags & JailFlags.Update) == 0)
                return SysResult<int>.Fail(Errno.EEXIST, $"jail {used.Jail.Id} already exists");
            if ((jid != 0 && jid != used.Jail.Id) || (name is not null && used.Jail.NameRelativeTo(viewer) != name))
                return SysResult<int>.Fail(Errno.EINVAL, "the jail named does not match the descriptor");
            result = Update(caller, cred, used.Jail, p, flags);
        }
        else
        {
            // JAIL_DYING no longer reaches a dying jail (FreeBSD 14+): set only ever sees alive ones.
            var existing = jid != 0
                ? _table.FindVisible(viewer, Text(jid))
                : name is not null ? _table.FindVisible(viewer, name) : null;
            if (existing is null && jid != 0 && (flags & JailFlags.Update) != 0 && _table.Find(jid) is { IsAlive: true })
            {
                // An alive jail the caller cannot see: updaters get ENOENT, even with CREATE | UPDATE.
                return SysResult<int>.Fail(Errno.ENOENT, $"jail {jid} not found");
            }
            if (existing is not null)
            {
                if ((flags & JailFlags.Update) == 0)
                    return SysResult<int>.Fail(Errno.EEXIST, jid != 0 ? $"jail {jid} already exists" : $"jail \"{name}\" already exists");
                if (name is not null && existing.NameRelativeTo(viewer) != name)
                {
                    var dot = name.LastIndexOf('.');
                    var current = existing.NameRelativeTo(viewer);
                    var currentDot = current.LastIndexOf('.');
                    if ((dot < 0 ? "" : name[..dot]) != (currentDot < 0 ? "" : current[..currentDot]))
                        return SysResult<int>.Fail(Errno.EINVAL, "cannot change jail's parent");
                    // An update keyed by jid with a new last component renames the jail.
                    result = Update(caller, cred, existing, p, flags, (viewer.IsHost ? name : viewer.Name + "." + name, name));
                }
                else
                {
                    result = Update(caller, cred, existing, p, flags);
                }
            }
            else if ((flags & JailFlags.Create) == 0)
            {
                return SysResult<int>.Fail(Errno.ENOENT, jid != 0 ? $"jail {jid} not found" : $"jail \"{name}\" not found");
            }
            else
            {
                result = Create(caller, cred, viewer, p, jid, name, flags);
            }
        }
        if (result.Ok && (flags & (JailFlags.GetDesc | JailFlags.OwnDesc)) != 0)
        {
            // The jail may have died and been freed since (born dying, or removed meanwhile): no descriptor then.
            var made = _table.Find(result.Value) is { } found ? JailDescriptor.TryOpen(_kernel, found, caller.Cred, (flags & JailFlags.OwnDesc) != 0) : null;
            if (made is null)
                return SysResult<int>.Fail(Errno.ENOENT, $"jail {result.Value} not found");
            parameters["desc"] = Text(caller.Files.Install(made));
        }
        return result;
    }

    /// <summary>
    /// jail_get(2): reads the requested parameters of one jail, named by <c>jid</c>, <c>name</c>, or
    /// <c>lastjid</c> (the next visible jail after that jid, how jls(8) walks the list).
    /// </summary>
    public SysResult<JailParams> Get(Proc caller, JailParams request, JailFlags flags = JailFlags.None)
    {
        ArgumentNullException.ThrowIfNull(request);
        if ((flags & ~(JailFlags.Dying | DescFlags)) != 0)
            return SysResult<JailParams>.Fail(Errno.EINVAL, "bad flags");
        var ctx = ResolveDesc(caller, request, flags);
        if (!ctx.Ok)
            return SysResult<JailParams>.Fail(ctx.Error, ctx.Message);
        var (cred, myJail, used) = ctx.Value;
        if ((flags & JailFlags.OwnDesc) != 0 && Priv.Check(caller.Cred, Privilege.JailRemove) != Errno.OK)
            return SysResult<JailParams>.Fail(Errno.EPERM, "an owning descriptor needs the right to remove the jail");
        var dying = (flags & JailFlags.Dying) != 0;
        Jail? jail;
        if (used is not null && (flags & JailFlags.UseDesc) != 0)
        {
            jail = used.Jail;
        }
        else if (request["lastjid"] is { } lastText)
        {
            if (!int.TryParse(lastText, CultureInfo.InvariantCulture, out var last))
                return SysResult<JailParams>.Fail(Errno.EINVAL, "lastjid: bad value");
            jail = _table.List(myJail, dying).FirstOrDefault(j => j.Id > last);
            if (jail is null)
                return SysResult<JailParams>.Fail(Errno.ENOENT, $"no jail after {last}");
        }
        else if (request["jid"] is { } jidText && jidText != "")
        {
            jail = _table.FindVisible(myJail, jidText, dying);
            if (jail is null)
                return SysResult<JailParams>.Fail(Errno.ENOENT, $"jail {jidText} not found");
        }
        else if (request["name"] is { } nameText && nameText != "")
        {
            jail = _table.FindVisible(myJail, nameText, dying);
            if (jail is null)
                return SysResult<JailParams>.Fail(Errno.ENOENT, $"jail \"{nameText}\" not found");
        }
        else
        {
            return SysResult<JailParams>.Fail(Errno.ENOENT, "no jail specified");
        }

        var result = new JailParams();
        var forServices = new JailParams();
        foreach (var requested in request.Names)
        {
            if (requested is "lastjid" or "errmsg" or "desc")
                continue;
            var param = _table.Parameters.Find(requested);
            if (param is null)
                return SysResult<JailParams>.Fail(Errno.ENOENT, $"unknown parameter: {requested}");
            if (param.Owner is null || requested.StartsWith("allow.", StringComparison.Ordinal))
                result[requested] = CoreJailParameters.Read(jail, myJail, requested);
            else
                forServices[requested] = null;
        }
        if (forServices.Count > 0)
        {
            var got = WithServicesShared(jail, Errno.ENOENT, () => _kernel.Services.RunMethod(JailMethodKind.Get, jail, forServices, cred));
            if (!got.Ok)
                return SysResult<JailParams>.Fail(got.Error, got.Message);
            foreach (var (n, v) in forServices)
                result[n] = v;
        }
        if ((flags & (JailFlags.GetDesc | JailFlags.OwnDesc)) != 0)
        {
            // Found without a reference: the jail may be being freed now, and then it is not there.
            if (JailDescriptor.TryOpen(_kernel, jail, caller.Cred, (flags & JailFlags.OwnDesc) != 0) is not { } jd)
                return SysResult<JailParams>.Fail(Errno.ENOENT, $"jail {jail.Id} not found");
            result["desc"] = Text(caller.Files.Install(jd));
        }
        return SysResult<JailParams>.Success(result);
    }

    /// <summary>
    /// jail_attach(2): moves the caller into a jail it can see. Refused (EBUSY) for a multithreaded
    /// process or one sharing its address space (the namespace patch review); a service's <c>attach</c> method may refuse too.
    /// </summary>
    public Errno Attach(Proc caller, int jid) => AttachTo(caller, jid).Error;

    /// <summary>jail_attach with the reason for a refusal.</summary>
    public SysResult<int> AttachTo(Proc caller, int jid)
    {
        if (Priv.Check(caller.Cred, Privilege.JailAttach) != Errno.OK)
            return SysResult<int>.Fail(Errno.EPERM, "jail_attach: not permitted");
        var jail = _table.FindVisible(caller.Jail, Text(jid));
        if (jail is null)
            return SysResult<int>.Fail(Errno.EINVAL, $"jail {jid} not found");
        return AttachProcess(caller, jail);
    }

    /// <summary>jail_remove(2): removes a jail and its descendants; their processes are killed.</summary>
    public Errno Remove(Proc caller, int jid)
    {
        if (Priv.Check(caller.Cred, Privilege.JailRemove) != Errno.OK)
            return Errno.EPERM;
        lock (_setLock)
        {
            var jail = _table.FindVisible(caller.Jail, Text(jid));
            if (jail is null)
                return Errno.EINVAL;
            RemoveTreeLocked(jail);
            return Errno.OK;
        }
    }

    /// <summary>
    /// jail_attach_jd(2): attaches the caller to the descriptor's jail, with the permission of the
    /// process that created the descriptor (so root can hand one to an unprivileged process).
    /// </summary>
    public SysResult<int> AttachJd(Proc caller, int fd)
    {
        var jd = DescriptorFor(caller, fd, JailDescRights.Attach);
        if (!jd.Ok)
            return SysResult<int>.Fail(jd.Error, jd.Message);
        if (Priv.Check(jd.Value.Creator, Privilege.JailAttach) != Errno.OK)
            return SysResult<int>.Fail(Errno.EPERM, "jail_attach_jd: the descriptor's creator may not attach");
        return AttachProcess(caller, jd.Value.Jail);
    }

    /// <summary>jail_remove_jd(2): removes the descriptor's jail, with its creator's permission.</summary>
    public Errno RemoveJd(Proc caller, int fd)
    {
        var jd = DescriptorFor(caller, fd, JailDescRights.Remove);
        if (!jd.Ok)
            return jd.Error;
        if (Priv.Check(jd.Value.Creator, Privilege.JailRemove) != Errno.OK)
            return Errno.EPERM;
        RemoveTree(jd.Value.Jail);
        return Errno.OK;
    }

    /// <summary>Removes <paramref name="jail"/> and its descendants, deepest first (kernel-internal).</summary>
    internal void RemoveTree(Jail jail)
    {
        lock (_setLock)
            RemoveTreeLocked(jail);
    }

    private void RemoveTreeLocked(Jail jail)
    {
        Debug.Assert(_setLock.IsHeldByCurrentThread, "jail_remove runs under the jail_set lock (docs/locking.md)");
        // children.cur counts every descendant: a leaf (the common case) needs no walk of the jail list.
        if (jail.ChildrenCur > 0)
        {
            foreach (var child in _table.List(jail).OrderByDescending(j => j.Depth))
                _table.BeginDying(child, killProcesses: true);
        }
        _table.BeginDying(jail, killProcesses: true);
    }

    private SysResult<int> Create(Proc caller, Ucred cred, Jail myJail, JailParams p, int jid, string? name, JailFlags flags)
    {
        var parent = myJail;
        var fullName = "";
        if (name is not null)
        {
            var dot = name.LastIndexOf('.');
            if (dot >= 0)
            {
                var parentName = name[..dot];
                parent = _table.FindVisible(myJail, parentName, includeDying: true);
                if (parent is null)
                    return SysResult<int>.Fail(Errno.ENOENT, $"jail \"{parentName}\" not found");
                if (!parent.IsAlive)
                    return SysResult<int>.Fail(Errno.ENOENT, $"jail \"{parentName}\" is dying");
            }
            fullName = myJail.IsHost ? name : myJail.Name + "." + name;
        }
        else if (jid != 0)
        {
            fullName = myJail.IsHost ? Text(jid) : myJail.Name + "." + Text(jid);
        }
        var valid = CoreJailParameters.Validate(p);
        if (valid.Ok)
            valid = JailSetRules.WithinParent(p, parent);
        if (valid.Ok && name is not null)
            valid = JailSetRules.NumericName(name, jid);
        if (!valid.Ok)
            return valid;
        if (!p.Contains("allow.mount") && _table.DefaultMountAllowed && parent.IsAllowed("allow.mount"))
            p["allow.mount"] = "true";

        var services = _kernel.Services;
        Jail jail;
        using (services.ServicesLock.EnterReadScope())
        {
            var placed = _table.InsertPlaceholder(parent, fullName, jid, limitFrom: myJail);
            if (!placed.Ok)
                return SysResult<int>.Fail(placed.Error, placed.Message);
            jail = placed.Value;
            jail.EnforceStatfs = Math.Max(jail.EnforceStatfs, parent.EnforceStatfs);
            var persistDelta = CoreJailParameters.Apply(jail, p);

            var step = services.RunMethod(JailMethodKind.Check, jail, p, cred);
            if (step.Ok)
            {
                step = services.CreateAll(jail, p);
                if (step.Ok)
                {
                    step = services.RunMethod(JailMethodKind.Set, jail, p, cred);
                    if (!step.Ok)
                        services.UnwindAll(jail);
                }
            }
            if (!step.Ok)
            {
                _table.DropPlaceholder(jail);
                return SysResult<int>.Fail(step.Error, step.Message);
            }
            if (persistDelta > 0)
                jail.AddUserReference();
            _table.Publish(jail);
        }

        if ((flags & JailFlags.Attach) != 0)
        {
            var attached = AttachProcess(caller, jail);
            if (!attached.Ok)
            {
                RemoveTree(jail);
                return attached;
            }
        }
        else if (jail.UserReferences == 0)
        {
            // Neither persist nor a process: the jail is born dying, as in FreeBSD.
            _table.BeginDying(jail, killProcesses: false);
        }
        return SysResult<int>.Success(jail.Id);
    }

    private SysResult<int> Update(Proc caller, Ucred cred, Jail jail, JailParams p, JailFlags flags, (string Full, string Shown)? rename = null)
    {
        if (rename is null && p["name"] is { } && p.Count == 1 && (flags & JailFlags.Attach) == 0)
            return SysResult<int>.Success(jail.Id);
        var valid = CoreJailParameters.Validate(p);
        if (valid.Ok)
            valid = JailSetRules.WithinParent(p, jail.Parent!);
        if (valid.Ok && p["name"] is { } name)
            valid = JailSetRules.NumericName(name, jail.Id);
        if (!valid.Ok)
            return valid;
        var services = _kernel.Services;
        var result = WithServicesShared(jail, Errno.ENOENT, () =>
        {
            var step = services.RunMethod(JailMethodKind.Check, jail, p, cred);
            if (!step.Ok)
                return step;
            var oldName = jail.Name;
            if (rename is { } to)
            {
                step = _table.Rename(jail, to.Full, to.Shown);
                if (!step.Ok)
                    return step;
            }
            var saved = CoreValues.Of(jail);
            var persistDelta = CoreJailParameters.Apply(jail, p);
            if (persistDelta > 0)
                jail.AddUserReference();
            step = services.RunMethod(JailMethodKind.Set, jail, p, cred);
            if (!step.Ok)
            {
                // All or nothing for the core parameters (FreeBSD keeps them): a refused set restores
                // them, persist's reference and the name with them. jail_set is serialized, so the old
                // name is still free.
                saved.Restore(jail);
                if (persistDelta > 0)
                    _table.DropUserReference(jail);
                if (rename is not null)
                    _table.Rename(jail, oldName, oldName);
                return step;
            }
            // The descendants take the new values only once the set has stuck.
            if (jail.ChildrenCur > 0)
                JailSetRules.PropagateDown(jail, p, _table.List(jail, includeDying: true));
            if (persistDelta < 0)
                _table.DropUserReference(jail);
            return step;
        });
        if (!result.Ok)
            return result;
        jail.Watchers.Post(new JailEvent(JailEventKind.Set, jail.Id, 0, false));
        if ((flags & JailFlags.Attach) != 0)
        {
            var attached = AttachProcess(caller, jail);
            if (!attached.Ok)
                return attached;
        }
        return SysResult<int>.Success(jail.Id);
    }

    /// <summary>The core parameters an update may change, saved to restore them when a service's set refuses.</summary>
    private sealed record CoreValues(string HostName, bool HostInherited, int ChildrenMax, int EnforceStatfs, bool Persist, IReadOnlySet<string> Allow)
    {
        public static CoreValues Of(Jail jail)
        {
            lock (jail.Mutex)
                return new(jail.HostName, jail.HostInherited, jail.ChildrenMax, jail.EnforceStatfs, jail.Persist, jail.Allow);
        }

        public void Restore(Jail jail)
        {
            lock (jail.Mutex)
            {
                jail.HostName = HostName;
                jail.HostInherited = HostInherited;
                jail.ChildrenMax = ChildrenMax;
                jail.EnforceStatfs = EnforceStatfs;
                jail.Persist = Persist;
                jail.Allow = Allow;
            }
        }
    }

    private SysResult<int> AttachProcess(Proc proc, Jail jail)
    {
        if (proc.ThreadCount > 1)
            return SysResult<int>.Fail(Errno.EBUSY, "jail_attach: the process is not single-threaded");
        if (proc.SharesAddressSpace)
            return SysResult<int>.Fail(Errno.EBUSY, "jail_attach: the process shares its address space");
        var services = _kernel.Services;
        var veto = WithServicesShared(jail, Errno.EINVAL, () => services.RunMethod(JailMethodKind.Attach, jail, new JailParams(), proc.Cred, proc));
        if (!veto.Ok)
            return veto;
        Jail old;
        lock (jail.Mutex)
        {
            if (!jail.IsAlive)
                return SysResult<int>.Fail(Errno.EINVAL, $"jail {jail.Id} is not alive");
            jail.AddUserReference();
            // The move is made under the jail mutex too: jail_remove marks the jail dying under it and
            // then kills every process whose credential names the jail, so the process is either refused
            // here or seen by that walk. Moving it after the unlock let it land in a jail being removed.
            old = ProcessTable.MoveToJailLocked(proc, jail);
        }
        _kernel.Jails.DropUserReference(old);
        jail.Watchers.Post(new JailEvent(JailEventKind.Attach, jail.Id, proc.Pid, false));
        return SysResult<int>.Success(jail.Id);
    }

    /// <summary>
    /// Checks the descriptor flags and the <c>desc</c> parameter, and returns the credential to check
    /// permissions with, the jail names are relative to, and the descriptor named by USE/AT_DESC.
    /// </summary>
    private SysResult<(Ucred Cred, Jail Viewer, JailDescriptor? Used)> ResolveDesc(Proc caller, JailParams parameters, JailFlags flags)
    {
        var fail = SysResult<(Ucred, Jail, JailDescriptor?)>.Fail;
        var descFlags = flags & DescFlags;
        if ((flags & JailFlags.UseDesc) != 0 && (flags & JailFlags.AtDesc) != 0)
            return fail(Errno.EINVAL, "USE_DESC and AT_DESC exclude each other");
        if ((flags & JailFlags.GetDesc) != 0 && (flags & JailFlags.OwnDesc) != 0)
            return fail(Errno.EINVAL, "GET_DESC and OWN_DESC exclude each other");
        if (parameters.Contains("desc") != (descFlags != 0))
            return fail(Errno.EINVAL, descFlags != 0 ? "a descriptor flag needs the desc parameter" : "desc needs a descriptor flag");
        if ((flags & (JailFlags.UseDesc | JailFlags.AtDesc)) == 0)
            return SysResult<(Ucred, Jail, JailDescriptor?)>.Success((caller.Cred, caller.Jail, null));
        if (!int.TryParse(parameters["desc"], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var fd))
            return fail(Errno.EINVAL, "desc: not a descriptor number");
        var jd = DescriptorFor(caller, fd, (flags & JailFlags.UseDesc) != 0 ? JailDescRights.Set : JailDescRights.None);
        if (!jd.Ok)
            return fail(jd.Error, jd.Message);
        return SysResult<(Ucred, Jail, JailDescriptor?)>.Success((jd.Value.Creator, (flags & JailFlags.AtDesc) != 0 ? jd.Value.Jail : jd.Value.Creator.Jail, jd.Value));
    }

    /// <summary>The live jail descriptor at <paramref name="fd"/> with <paramref name="right"/>.</summary>
    private static SysResult<JailDescriptor> DescriptorFor(Proc caller, int fd, JailDescRights right) => caller.Files.Get(fd) switch
    {
        null => SysResult<JailDescriptor>.Fail(Errno.EBADF, $"descriptor {fd} is not open"),
        not JailDescriptor => SysResult<JailDescriptor>.Fail(Errno.EINVAL, $"descriptor {fd} is not a jail descriptor"),
        JailDescriptor jd when (jd.Rights & right) != right => SysResult<JailDescriptor>.Fail(Errno.ENOTCAPABLE, $"descriptor {fd} lacks the {right} right"),
        JailDescriptor jd when !jd.Jail.IsAlive => SysResult<JailDescriptor>.Fail(Errno.ENOENT, $"jail {jd.Jail.Id} is not alive"),
        JailDescriptor jd => SysResult<JailDescriptor>.Success(jd),
    };

    /// <summary>
    /// Runs service methods for an existing jail with the services lock shared and a reference held on
    /// the jail. The jail was looked up without one, so it may be removed meanwhile; without the
    /// reference its last release could free it, and run every service's destroy, while a method still
    /// ran for it (the KPI promises nothing runs after destroy). <paramref name="gone"/> is the error
    /// when the jail is already being freed.
    /// </summary>
    private SysResult<int> WithServicesShared(Jail jail, Errno gone, Func<SysResult<int>> action)
    {
        // The raw primitive, not a JailReference: one jail_set call, no handle to allocate.
        if (!jail.TryAddReference())
            return SysResult<int>.Fail(gone, $"jail {jail.Id} is not alive");
        try
        {
            var services = _kernel.Services;
            using (services.ServicesLock.EnterReadScope())
            {
                return action();
            }
        }
        finally
        {
            jail.Release();
        }
    }

    /// <summary>Checks every name is registered and every value parses; returns the normalised list.</summary>
    private SysResult<JailParams> Normalize(JailParams input, bool forSet)
    {
        var output = new JailParams();
        foreach (var (name, value) in input)
        {
            if (name == "errmsg")
                continue;
            if (_table.Parameters.Resolve(name, value) is not { } resolved)
                return SysResult<JailParams>.Fail(Errno.ENOENT, $"unknown parameter: {name}");
            var (param, raw) = resolved;
            if (forSet && param.ReadOnly)
                return SysResult<JailParams>.Fail(Errno.EINVAL, $"{param.Name}: parameter is read-only");
            var normalized = param.Normalize(raw);
            if (normalized is null)
                return SysResult<JailParams>.Fail(Errno.EINVAL, $"{param.Name}: invalid value \"{raw}\"");
            output[param.Name] = normalized;
        }
        return SysResult<JailParams>.Success(output);
    }

    private static SysResult<int> ValidateName(string name)
    {
        if (name.Length == 0)
            return SysResult<int>.Fail(Errno.EINVAL, "name: must not be empty");
        if (name.Length > 255)
            return SysResult<int>.Fail(Errno.ENAMETOOLONG, "name: too long");
        if (name.Split('.').Any(c => c.Length == 0))
            return SysResult<int>.Fail(Errno.EINVAL, $"name \"{name}\": empty component");
        if (name.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c == '*'))
            return SysResult<int>.Fail(Errno.EINVAL, $"name \"{name}\": invalid character");
        return SysResult<int>.Success(0);
    }

    /// <summary>An int as invariant decimal text (jids and counts in names and parameter values).</summary>
    private static string Text(int v) => v.ToString(CultureInfo.InvariantCulture);
}
