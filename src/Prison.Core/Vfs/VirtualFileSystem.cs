using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Prison.Core.Jails;
using Prison.Core.Procs;

namespace Prison.Core.Vfs;

/// <summary>
/// A small model of FreeBSD's VFS, enough for the jail rules of the jail services proposal: file system types registered
/// by modules, one global mount table, and the <c>mount</c>, <c>unmount</c>, <c>statfs</c> and
/// <c>getfsstat</c> syscalls.
/// </summary>
/// <remarks>
/// <para><b>The model.</b> There are no vnodes and no jail root paths: a mount point is an absolute path
/// string, one file system per mount point (mounts do not stack: a taken mount point is EBUSY), and each
/// mount remembers the jail that mounted it. What a jail sees follows its <c>enforce_statfs</c>:
/// 0 every mount; 1 the mounts made by itself or its descendants (FreeBSD: the mounts under its root,
/// and a jail's mounts are under its root); 2 none (FreeBSD shows only the jail's own root, which the
/// model does not have). The host (prison0, enforce_statfs 0) sees everything.</para>
/// <para><b>Mounting</b> (FreeBSD's <c>vfs_domount</c>, in its order): root only (EPERM); from a jail,
/// <c>allow.mount</c> and <c>enforce_statfs &lt; 2</c> (PRIV_VFS_MOUNT in <c>prison_priv_check</c>,
/// EPERM); an unknown type is ENODEV; from a jail the type must be jail-friendly
/// (<see cref="VfsTypeFlags.Jail"/>) and the jail must have <c>allow.mount.TYPE</c> (EPERM); a taken
/// mount point is EBUSY; then the file system's own <see cref="VfsType.MountCheck"/> decides.
/// <c>security.jail.mount_allowed</c> is the legacy default for <c>allow.mount</c> of new jails.</para>
/// <para><b>Unmounting</b> (FreeBSD's <c>kern_unmount</c> and <c>vfs_suser</c>): root only, the same
/// jail privilege as mounting, the mount must be visible (EINVAL: not a mount point), and from a jail it
/// must have been mounted by that very jail with a type the jail may mount (EPERM). The host unmounts
/// anything.</para>
/// <para><b>Locking.</b> <c>_lock</c> protects the type table and serialises every change of the mount
/// table; a file system's <see cref="VfsType.MountCheck"/> runs under it, so a file system may take its
/// own lock inside but must never call this class while holding that lock. The mount table itself is
/// an immutable array published by reference: reads take no lock.</para>
/// </remarks>
internal sealed class VirtualFileSystem
{
    /// <summary>The largest mount point (FreeBSD's MNAMELEN minus the terminating NUL).</summary>
    public const int MaxPathLength = 1023;

    private readonly Kernel _kernel;
    private readonly ILogger _log;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, VfsType> _types = new(StringComparer.Ordinal);
    private MountEntry[] _mounts = [];
    private long _lastMountId;

    internal VirtualFileSystem(Kernel kernel)
    {
        _kernel = kernel;
        _log = kernel.LoggerFactory.CreateLogger("Prison.Vfs");
    }

    /// <summary>The registered file system types, by name (lsvfs).</summary>
    public IReadOnlyList<VfsType> Types
    {
        get
        {
            lock (_lock)
                return _types.Values.OrderBy(t => t.Name, StringComparer.Ordinal).ToArray();
        }
    }

    /// <summary>Every mount, in mount order: the kernel's view, with no jail filter (lock-free).</summary>
    public IReadOnlyList<MountEntry> Mounts => Volatile.Read(ref _mounts);

    /// <summary>
    /// The mounts of one type, read under the table lock: a mount in progress when this is called is
    /// either complete and listed or has not passed its type's check yet. A file system that marked an
    /// object busy (so its check refuses it) calls this to learn whether the object is still mounted.
    /// </summary>
    public IReadOnlyList<MountEntry> MountsOf(string fsType)
    {
        lock (_lock)
            return _mounts.Where(m => m.FsType == fsType).ToArray();
    }

    /// <summary>Finds a registered type by name.</summary>
    public VfsType? FindType(string name)
    {
        lock (_lock)
            return _types.GetValueOrDefault(name);
    }

    /// <summary>
    /// mount(2) (nmount with <c>fstype</c>, <c>from</c> and <c>fspath</c>): mounts <paramref name="source"/>
    /// of type <paramref name="fsType"/> on <paramref name="mountPoint"/>. See the class remarks for the rules.
    /// </summary>
    /// <returns>The new mount. Nothing changes on failure.</returns>
    public SysResult<MountEntry> Mount(Proc caller, string fsType, string source, string mountPoint)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var cred = caller.Cred;
        if (string.IsNullOrEmpty(fsType) || string.IsNullOrEmpty(source) || !IsAbsolutePath(mountPoint))
            return Fail<MountEntry>(Errno.EINVAL, $"mount: bad arguments (type \"{fsType}\", source \"{source}\", mount point \"{mountPoint}\": it must be an absolute path)");
        if (fsType.Length > VfsType.MaxNameLength || mountPoint.Length > MaxPathLength)
            return Fail<MountEntry>(Errno.ENAMETOOLONG, "mount: file system type or mount point too long");
        var privilege = CheckJailPrivilege(cred, "mount");
        if (!privilege.Ok)
            return Fail<MountEntry>(privilege.Error, privilege.Message);
        lock (_lock)
        {
            if (!_types.TryGetValue(fsType, out var type))
                return Fail<MountEntry>(Errno.ENODEV, $"mount: {fsType}: unknown file system type");
            if (cred.IsJailed)
            {
                if (!type.IsJailFriendly)
                    return Fail<MountEntry>(Errno.EPERM, $"mount: {fsType} file systems cannot be mounted from a jail (the type is not jail-friendly)");
                if (!cred.Jail.IsAllowed(type.AllowParameter))
                    return Fail<MountEntry>(Errno.EPERM, $"mount: jail {cred.Jail.Name} does not have {type.AllowParameter}");
            }
            if (_mounts.Any(m => m.MountPoint == mountPoint))
                return Fail<MountEntry>(Errno.EBUSY, $"mount: {mountPoint}: a file system is already mounted there");
            if (type.MountCheck is { } check)
            {
                var verdict = check(cred, source, mountPoint);
                if (!verdict.Ok)
                    return Fail<MountEntry>(verdict.Error, verdict.Message);
            }
            var entry = new MountEntry(++_lastMountId, fsType, source, mountPoint, cred.Jail, cred.Uid);
            Volatile.Write(ref _mounts, [.. _mounts, entry]);
            _log.LogDebug("mount {Source} on {MountPoint} ({Type}) by jail {Jid}", source, mountPoint, fsType, cred.Jail.Id);
            return SysResult<MountEntry>.Success(entry);
        }
    }

    /// <summary>unmount(2) of the file system mounted on <paramref name="mountPoint"/>. See the class remarks.</summary>
    /// <returns>The mount that was removed.</returns>
    public SysResult<MountEntry> Unmount(Proc caller, string mountPoint) => Unmount(caller, mountPoint, onlyType: null);

    /// <summary>
    /// <see cref="Unmount(Proc, string)"/> restricted to a mount of <paramref name="onlyType"/> (a module's
    /// <c>FileSystemMounts</c>): a mount of another type there is EINVAL, decided under the table lock.
    /// </summary>
    internal SysResult<MountEntry> Unmount(Proc caller, string mountPoint, string? onlyType)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var cred = caller.Cred;
        var privilege = CheckJailPrivilege(cred, "unmount");
        if (!privilege.Ok)
            return Fail<MountEntry>(privilege.Error, privilege.Message);
        lock (_lock)
        {
            var entry = _mounts.FirstOrDefault(m => m.MountPoint == mountPoint && CanSee(cred.Jail, m));
            if (entry is null)
                return Fail<MountEntry>(Errno.EINVAL, $"unmount: {mountPoint}: not a file system root directory");
            if (onlyType is not null && entry.FsType != onlyType)
                return Fail<MountEntry>(Errno.EINVAL, $"unmount: {mountPoint}: not a {onlyType} file system");
            if (cred.IsJailed)
            {
                if (!ReferenceEquals(entry.MountedBy, cred.Jail))
                    return Fail<MountEntry>(Errno.EPERM, $"unmount: {mountPoint} was not mounted by this jail");
                if (!cred.Jail.IsAllowed("allow.mount." + entry.FsType) || _types.GetValueOrDefault(entry.FsType) is not { IsJailFriendly: true })
                    return Fail<MountEntry>(Errno.EPERM, $"unmount: jail {cred.Jail.Name} may not unmount {entry.FsType} file systems");
            }
            RemoveLocked(entry);
            return SysResult<MountEntry>.Success(entry);
        }
    }

    /// <summary>getfsstat(2) / mount(8) without arguments: the mounts the caller's jail may see.</summary>
    public IReadOnlyList<MountEntry> List(Proc caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var jail = caller.Jail;
        return Mounts.Where(m => CanSee(jail, m)).ToArray();
    }

    /// <summary>statfs(2) of a mount point: ENOENT when nothing the caller may see is mounted there.</summary>
    public SysResult<MountEntry> Statfs(Proc caller, string mountPoint)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var jail = caller.Jail;
        return Mounts.FirstOrDefault(m => m.MountPoint == mountPoint && CanSee(jail, m)) is { } entry
            ? SysResult<MountEntry>.Success(entry)
            : Fail<MountEntry>(Errno.ENOENT, $"statfs: {mountPoint}: no such mount point");
    }

    /// <summary>
    /// Unmounts a mount on the kernel's behalf, with no privilege check (a file system destroying the
    /// object under a mount, a module cleaning up after a jail). False when it is no longer mounted.
    /// </summary>
    public bool ForceUnmount(MountEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        lock (_lock)
        {
            if (!_mounts.Contains(entry))
                return false;
            RemoveLocked(entry);
            return true;
        }
    }

    /// <summary>True when <paramref name="viewer"/> may see <paramref name="entry"/> (its enforce_statfs).</summary>
    public static bool CanSee(Jail viewer, MountEntry entry)
    {
        ArgumentNullException.ThrowIfNull(viewer);
        ArgumentNullException.ThrowIfNull(entry);
        return viewer.EnforceStatfs switch
        {
            0 => true,
            1 => viewer.IsSelfOrAncestorOf(entry.MountedBy),
            _ => false,
        };
    }

    /// <summary>Registers a type (done through <c>ModuleContext.RegisterFileSystemType</c>).</summary>
    internal void RegisterType(VfsType type, string owner)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (string.IsNullOrEmpty(type.Name) || type.Name.Length > VfsType.MaxNameLength || type.Name.Any(c => c is '.' or '/' || char.IsWhiteSpace(c)))
            throw new KernelErrorException(Errno.EINVAL, $"bad file system type name \"{type.Name}\"");
        lock (_lock)
        {
            if (_types.ContainsKey(type.Name))
                throw new KernelErrorException(Errno.EEXIST, $"file system type {type.Name} is already registered");
            if (type.IsJailFriendly)
            {
                // FreeBSD's vfs_register calls prison_add_allow("mount", name) for VFCF_JAIL types.
                _kernel.Jails.Parameters.Add(JailParameterDefinition.AllowFlag(type.AllowParameter,
                    $"Jail may mount the {type.Name} file system", owner));
            }
            _types.Add(type.Name, type);
        }
        _log.LogDebug("file system type {Type} registered by {Owner}", type.Name, owner);
    }

    /// <summary>
    /// Removes a type: what is still mounted of it is unmounted (a module's undo cannot fail), its
    /// <c>allow.mount.NAME</c> parameter goes away and the flag is cleared in every jail, so a later
    /// registration starts from "not allowed".
    /// </summary>
    internal void UnregisterType(VfsType type)
    {
        lock (_lock)
        {
            if (!_types.TryGetValue(type.Name, out var registered) || !ReferenceEquals(registered, type))
                return;
            foreach (var m in _mounts.Where(m => m.FsType == type.Name).ToArray())
            {
                _log.LogWarning("file system type {Type} goes away: unmounting {Mount}", type.Name, m);
                RemoveLocked(m);
            }
            _types.Remove(type.Name);
            if (type.IsJailFriendly)
            {
                _kernel.Jails.Parameters.Remove(type.AllowParameter);
                foreach (var jail in _kernel.Jails.ListAll().Where(j => !j.IsHost))
                {
                    lock (jail.Mutex)
                        jail.Allow = jail.Allow.Where(f => f != type.AllowParameter).ToAllowSet();
                }
            }
        }
        _log.LogDebug("file system type {Type} unregistered", type.Name);
    }

    private void RemoveLocked(MountEntry entry)
    {
        Debug.Assert(_lock.IsHeldByCurrentThread, "a mount is removed under the mount table lock (docs/locking.md)");
        Volatile.Write(ref _mounts, _mounts.Where(m => !ReferenceEquals(m, entry)).ToArray());
        _log.LogDebug("unmount {Mount}", entry);
    }

    /// <summary>PRIV_VFS_MOUNT / PRIV_VFS_UNMOUNT as <c>prison_priv_check</c> grants them to jailed root.</summary>
    private static SysResult<int> CheckJailPrivilege(Ucred cred, string call)
    {
        if (!cred.IsRoot)
            return SysResult<int>.Fail(Errno.EPERM, $"{call}: only root may {call}");
        if (!cred.IsJailed)
            return SysResult<int>.Success(0);
        if (!cred.Jail.IsAllowed("allow.mount"))
            return SysResult<int>.Fail(Errno.EPERM, $"{call}: jail {cred.Jail.Name} does not have allow.mount");
        if (cred.Jail.EnforceStatfs >= 2)
            return SysResult<int>.Fail(Errno.EPERM, $"{call}: jail {cred.Jail.Name} has enforce_statfs={cred.Jail.EnforceStatfs} (must be below 2)");
        return SysResult<int>.Success(0);
    }

    private static bool IsAbsolutePath(string? path) => path is { Length: > 0 } && path[0] == '/' && !path.Contains('\0', StringComparison.Ordinal);

    private static SysResult<T> Fail<T>(Errno error, string? message) => SysResult<T>.Fail(error, message);
}
