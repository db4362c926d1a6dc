using System.Globalization;
using Prison.Core.Procs;
using Prison.Core.Services;

namespace Prison.Core.Jails;

/// <summary>
/// The jail syscalls: <c>jail_set</c>, <c>jail_get</c>, <c>jail_attach</c>, <c>jail_remove</c>, with
/// FreeBSD's privilege rules: root of the host, or root of a jail acting on its descendants within
/// <c>children.max</c>. Failures carry a jail(8)-style message in <see cref="SysResult{T}.Message"/>.
/// </summary>
public sealed class JailSyscalls
{
    private const JailFlags SetFlags = JailFlags.Create | JailFlags.Update | JailFlags.Attach | JailFlags.Dying;
    private readonly Kernel _kernel;
    private readonly JailTable _table;

    internal JailSyscalls(Kernel kernel, JailTable table)
    {
        _kernel = kernel;
        _table = table;
    }

    /// <summary>
    /// jail_set(2): creates a jail (<see cref="JailFlags.Create"/>), updates one (<see cref="JailFlags.Update"/>),
    /// and optionally attaches the caller (<see cref="JailFlags.Attach"/>). The jail is named by <c>jid</c>
    /// or <c>name</c> (relative to the caller's jail; dots name the parent: <c>pg.child</c>).
    /// </summary>
    /// <returns>The jid. Nothing changes on failure.</returns>
    public SysResult<int> Set(Proc caller, JailParams parameters, JailFlags flags)
    {
        if ((flags & ~SetFlags) != 0 || (flags & (JailFlags.Create | JailFlags.Update)) == 0)
            return SysResult<int>.Fail(Errno.EINVAL, "flags must include create or update");
        if (Priv.Check(caller.Cred, Privilege.JailSet) != Errno.OK)
            return SysResult<int>.Fail(Errno.EPERM, "jail_set: not permitted");
        var parsed = Normalize(parameters, forSet: true);
        if (!parsed.Ok)
            return SysResult<int>.Fail(parsed.Error, parsed.Message);
        var p = parsed.Value;

        var myJail = caller.Jail;
        var jid = 0;
        if (p["jid"] is { } jidText)
        {
            jid = int.Parse(jidText, CultureInfo.InvariantCulture);
            if (jid == 0)
                return SysResult<int>.Fail(Errno.EINVAL, "jid 0 is the host and cannot be set");
            if (jid is < 0 or > Jail.MaxJid)
                return SysResult<int>.Fail(Errno.EINVAL, "jid out of range");
        }
        var name = p["name"];
        if (name is not null)
        {
            var nameCheck = ValidateName(name, jid);
            if (!nameCheck.Ok)
                return nameCheck;
        }

        var existing = jid != 0
            ? _table.FindVisible(myJail, Int(jid), (flags & JailFlags.Dying) != 0)
            : name is not null ? _table.FindVisible(myJail, name, (flags & JailFlags.Dying) != 0) : null;
        if (existing is not null)
        {
            if ((flags & JailFlags.Update) == 0)
                return SysResult<int>.Fail(Errno.EEXIST, jid != 0 ? $"jail {jid} already exists" : $"jail \"{name}\" already exists");
            if (name is not null && existing.NameRelativeTo(myJail) != name)
                return SysResult<int>.Fail(Errno.EINVAL, "a jail cannot be renamed");
            return Update(caller, existing, p, flags);
        }
        if ((flags & JailFlags.Create) == 0)
            return SysResult<int>.Fail(Errno.ENOENT, jid != 0 ? $"jail {jid} not found" : $"jail \"{name}\" not found");
        return Create(caller, p, jid, name, flags);
    }

    /// <summary>
    /// jail_get(2): reads the requested parameters of one jail, named by <c>jid</c>, <c>name</c>, or
    /// <c>lastjid</c> (the next visible jail after that jid, how jls(8) walks the list).
    /// </summary>
    public SysResult<JailParams> Get(Proc caller, JailParams request, JailFlags flags = JailFlags.None)
    {
        if ((flags & ~JailFlags.Dying) != 0)
            return SysResult<JailParams>.Fail(Errno.EINVAL, "bad flags");
        var myJail = caller.Jail;
        var dying = (flags & JailFlags.Dying) != 0;
        Jail? jail;
        if (request["lastjid"] is { } lastText)
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
            if (requested is "lastjid" or "errmsg")
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
            var got = WithServicesShared(() => _kernel.Services.RunMethod(JailMethodKind.Get, jail, forServices, caller.Cred));
            if (!got.Ok)
                return SysResult<JailParams>.Fail(got.Error, got.Message);
            foreach (var (n, v) in forServices)
                result[n] = v;
        }
        return SysResult<JailParams>.Success(result);
    }

    /// <summary>
    /// jail_attach(2): moves the caller into a jail it can see. Refused (EBUSY) for a multithreaded
    /// process or one sharing its address space (seed 000); a service's <c>attach</c> method may refuse too.
    /// </summary>
    public Errno Attach(Proc caller, int jid) => AttachTo(caller, jid).Error;

    /// <summary>jail_attach with the reason for a refusal.</summary>
    public SysResult<int> AttachTo(Proc caller, int jid)
    {
        if (Priv.Check(caller.Cred, Privilege.JailAttach) != Errno.OK)
            return SysResult<int>.Fail(Errno.EPERM, "jail_attach: not permitted");
        var jail = _table.FindVisible(caller.Jail, Int(jid));
        if (jail is null)
            return SysResult<int>.Fail(Errno.EINVAL, $"jail {jid} not found");
        return AttachProcess(caller, jail);
    }

    /// <summary>jail_remove(2): removes a jail and its descendants; their processes are killed.</summary>
    public Errno Remove(Proc caller, int jid)
    {
        if (Priv.Check(caller.Cred, Privilege.JailRemove) != Errno.OK)
            return Errno.EPERM;
        var jail = _table.FindVisible(caller.Jail, Int(jid));
        if (jail is null)
            return Errno.EINVAL;
        RemoveTree(jail);
        return Errno.OK;
    }

    /// <summary>Removes <paramref name="jail"/> and its descendants, deepest first (kernel-internal).</summary>
    internal void RemoveTree(Jail jail)
    {
        foreach (var child in _table.List(jail).OrderByDescending(j => j.Depth))
            _table.BeginDying(child, killProcesses: true);
        _table.BeginDying(jail, killProcesses: true);
    }

    private SysResult<int> Create(Proc caller, JailParams p, int jid, string? name, JailFlags flags)
    {
        var myJail = caller.Jail;
        var parent = myJail;
        var fullName = "";
        if (name is not null)
        {
            var dot = name.LastIndexOf('.');
            if (dot >= 0)
            {
                var parentName = name[..dot];
                parent = _table.FindVisible(myJail, parentName);
                if (parent is null)
                    return SysResult<int>.Fail(Errno.ENOENT, $"jail \"{parentName}\" not found");
            }
            fullName = myJail.IsHost ? name : myJail.Name + "." + name;
        }
        else if (jid != 0)
        {
            fullName = myJail.IsHost ? Int(jid) : myJail.Name + "." + Int(jid);
        }
        var valid = CoreJailParameters.Validate(p, parent);
        if (!valid.Ok)
            return valid;
        if (!p.Contains("allow.mount") && _table.DefaultMountAllowed)
            p["allow.mount"] = "true";

        var services = _kernel.Services;
        services.ServicesLock.EnterReadLock();
        Jail jail;
        try
        {
            var placed = _table.InsertPlaceholder(parent, fullName, jid);
            if (!placed.Ok)
                return SysResult<int>.Fail(placed.Error, placed.Message);
            jail = placed.Value;
            jail.EnforceStatfs = Math.Max(jail.EnforceStatfs, parent.EnforceStatfs);
            var persistDelta = CoreJailParameters.Apply(jail, p);

            var step = services.RunMethod(JailMethodKind.Check, jail, p, caller.Cred);
            if (step.Ok)
            {
                step = services.CreateAll(jail, p);
                if (step.Ok)
                {
                    step = services.RunMethod(JailMethodKind.Set, jail, p, caller.Cred);
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
        finally
        {
            services.ServicesLock.ExitReadLock();
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

    private SysResult<int> Update(Proc caller, Jail jail, JailParams p, JailFlags flags)
    {
        if (p["name"] is { } && p.Count == 1 && (flags & JailFlags.Attach) == 0)
            return SysResult<int>.Success(jail.Id);
        var valid = CoreJailParameters.Validate(p, jail.Parent!);
        if (!valid.Ok)
            return valid;
        var services = _kernel.Services;
        var result = WithServicesShared(() =>
        {
            var step = services.RunMethod(JailMethodKind.Check, jail, p, caller.Cred);
            if (!step.Ok)
                return step;
            var persistDelta = CoreJailParameters.Apply(jail, p);
            if (persistDelta > 0)
                jail.AddUserReference();
            step = services.RunMethod(JailMethodKind.Set, jail, p, caller.Cred);
            if (persistDelta < 0)
                _table.DropUserReference(jail);
            return step;
        });
        if (!result.Ok)
            return result;
        if ((flags & JailFlags.Attach) != 0)
        {
            var attached = AttachProcess(caller, jail);
            if (!attached.Ok)
                return attached;
        }
        return SysResult<int>.Success(jail.Id);
    }

    private SysResult<int> AttachProcess(Proc proc, Jail jail)
    {
        if (proc.ThreadCount > 1)
            return SysResult<int>.Fail(Errno.EBUSY, "jail_attach: the process is not single-threaded");
        if (proc.SharesAddressSpace)
            return SysResult<int>.Fail(Errno.EBUSY, "jail_attach: the process shares its address space");
        var services = _kernel.Services;
        var veto = WithServicesShared(() => services.RunMethod(JailMethodKind.Attach, jail, new JailParams(), proc.Cred, proc));
        if (!veto.Ok)
            return veto;
        lock (jail.Mutex)
        {
            if (!jail.IsAlive)
                return SysResult<int>.Fail(Errno.EINVAL, $"jail {jail.Id} is not alive");
            jail.AddUserReference();
        }
        _kernel.Processes.MoveToJail(proc, jail);
        return SysResult<int>.Success(jail.Id);
    }

    private SysResult<int> WithServicesShared(Func<SysResult<int>> action)
    {
        var services = _kernel.Services;
        services.ServicesLock.EnterReadLock();
        try
        {
            return action();
        }
        finally
        {
            services.ServicesLock.ExitReadLock();
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

    private static SysResult<int> ValidateName(string name, int jid)
    {
        if (name.Length == 0)
            return SysResult<int>.Fail(Errno.EINVAL, "name: must not be empty");
        if (name.Length > 255)
            return SysResult<int>.Fail(Errno.ENAMETOOLONG, "name: too long");
        if (name.Split('.').Any(c => c.Length == 0))
            return SysResult<int>.Fail(Errno.EINVAL, $"name \"{name}\": empty component");
        if (name.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c == '*'))
            return SysResult<int>.Fail(Errno.EINVAL, $"name \"{name}\": invalid character");
        var leaf = name[(name.LastIndexOf('.') + 1)..];
        if (leaf.All(char.IsAsciiDigit) && leaf != Int(jid))
            return SysResult<int>.Fail(Errno.EINVAL, "name cannot be numeric (unless it is the jid)");
        return SysResult<int>.Success(0);
    }

    private static string Int(int v) => v.ToString(CultureInfo.InvariantCulture);
}
