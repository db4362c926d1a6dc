using Microsoft.Extensions.Logging;
using Prison.Core;
using Prison.Core.Jails;
using Prison.Core.Modules;
using Prison.Core.Procs;
using Prison.Core.Services;
using Prison.Core.Vfs;
using Prison.Core.Zfs;

namespace Prison.Plugins.ZfsDataset;

/// <summary>
/// The zfs module's implementation of <see cref="IZfsSyscalls"/>, its VFS mount check and its jail
/// service callbacks.
/// </summary>
/// <remarks>
/// Locking: <c>_lock</c> protects the dataset store, every dataset and every jail's
/// <see cref="JailDatasets"/>. The VFS calls <see cref="CheckMount"/> while holding its table lock, and
/// that takes <c>_lock</c>; so the order is VFS, then <c>_lock</c>, and this class never calls the VFS
/// while holding <c>_lock</c> (except lock-free reads of <see cref="FileSystemMounts.Mounts"/>).
/// Operations that must unmount or must know that nothing is mounted mark the datasets
/// <see cref="Dataset.Busy"/> under <c>_lock</c>, then talk to the VFS, then finish under <c>_lock</c>.
/// </remarks>
internal sealed partial class ZfsSyscalls : IZfsSyscalls
{
    /// <summary>The file system type name.</summary>
    public const string FsType = "zfs";

    private readonly JailLookup _jails;
    private readonly ILogger _log;
    private readonly Lock _lock = new();
    private readonly DatasetStore _store = new();

    public ZfsSyscalls(JailLookup jails, ILogger log)
    {
        _jails = jails;
        _log = log;
    }

    /// <summary>The service slot; set once the service is registered.</summary>
    public ServiceSlot<JailDatasets>? Slot { get; set; }

    /// <summary>The zfs file system type's mounts and mount calls; set once the type is registered.</summary>
    public FileSystemMounts FileSystem { get; set; } = null!;

    /// <summary>Creates a pool at module load (no privilege check: the kernel does it).</summary>
    public void AddBootPool(string pool)
    {
        var valid = DatasetName.CheckFileSystem("create pool", pool);
        if (!valid.Ok || pool.Contains('/', StringComparison.Ordinal))
            throw new KernelErrorException(Errno.EINVAL, $"zfs.pools: bad pool name '{pool}'");
        lock (_lock)
        {
            if (!_store.Exists(pool))
                _store.Add(pool, isSnapshot: false);
        }
    }

    /// <inheritdoc />
    public SysResult<int> PoolCreate(Proc caller, string pool)
    {
        if (caller.Cred.IsJailed || Priv.Check(caller.Cred, Privilege.VfsAdmin) != Errno.OK)
            return Fail($"cannot create '{pool}': permission denied", Errno.EPERM);
        var valid = DatasetName.CheckFileSystem("create", pool);
        if (!valid.Ok)
            return valid;
        if (pool.Contains('/', StringComparison.Ordinal))
            return Fail($"cannot create '{pool}': invalid character '/' in pool name", Errno.EINVAL);
        if (pool is "mirror" or "raidz" or "draid" or "spare" or "log" or "cache")
            return Fail($"cannot create '{pool}': name is reserved", Errno.EINVAL);
        lock (_lock)
        {
            if (_store.Exists(pool))
                return Fail($"cannot create '{pool}': pool already exists", Errno.EEXIST);
            _store.Add(pool, isSnapshot: false);
        }
        _log.LogInformation("pool {Pool} created", pool);
        return SysResult<int>.Success(0);
    }

    /// <inheritdoc />
    public SysResult<IReadOnlyList<string>> PoolList(Proc caller)
    {
        lock (_lock)
        {
            return SysResult<IReadOnlyList<string>>.Success(
                _store.Pools.Where(p => See(caller.Cred, p) != Visibility.None).ToArray());
        }
    }

    /// <summary>
    /// The file system's own mount check (FreeBSD's <c>zfs_mount</c>), run by the VFS after its jail
    /// rules passed: from a jail the dataset must be visible and writable (EPERM otherwise, which also
    /// covers a dataset that does not exist, so nothing leaks); a snapshot, a busy dataset or one already
    /// mounted is refused.
    /// </summary>
    public SysResult<int> CheckMount(Ucred caller, string source, string mountPoint)
    {
        lock (_lock)
        {
            if (caller.IsJailed && See(caller, source) != Visibility.Writable)
                return Fail($"zfs: {source}: permission denied", Errno.EPERM);
            var ds = _store.Find(source);
            if (ds is null)
                return Fail($"zfs: {source}: dataset does not exist", Errno.ENOENT);
            if (ds.IsSnapshot)
                return Fail($"zfs: {source}: snapshots are not mounted in this model", Errno.EINVAL);
            if (ds.Busy)
                return Fail($"zfs: {source}: dataset is busy", Errno.EBUSY);
            if (IsMounted(source))
                return Fail($"zfs: {source}: filesystem already mounted", Errno.EBUSY);
            return SysResult<int>.Success(0);
        }
    }

    /// <summary>
    /// True when a zfs mount of <paramref name="name"/> exists (a lock-free read of the mount table). The
    /// VFS may ask <see cref="CheckMount"/> between the type's registration and the moment the load stores
    /// <see cref="FileSystem"/>: then nothing of the type is mounted yet.
    /// </summary>
    private bool IsMounted(string name) => FileSystem is { } fs && fs.Mounts.Any(m => m.Source == name);

    /// <summary>How the caller's jail sees <paramref name="name"/>. Call under <c>_lock</c>.</summary>
    private Visibility See(Ucred cred, string name) =>
        DatasetVisibility.Of(name, !cred.IsJailed, cred.IsJailed ? Slot?.Get(cred.Jail) : null);

    /// <summary>A dataset the caller can see, or null (it does not exist for the caller). Call under <c>_lock</c>.</summary>
    private Dataset? FindVisible(Ucred cred, string name) =>
        See(cred, name) == Visibility.None ? null : _store.Find(name);

    /// <summary>
    /// May the caller change <paramref name="ds"/>? OpenZFS <c>zfs_dozonecheck</c> then
    /// <c>secpolicy_zfs</c>: from a jail the dataset must be writable (not an ancestor) and jailed;
    /// then the caller must be root. The caller already knows the dataset is visible.
    /// </summary>
    private SysResult<int> CheckWrite(Ucred cred, string what, Dataset ds)
    {
        if (cred.IsJailed)
        {
            if (See(cred, ds.Name) != Visibility.Writable)
                return Fail($"{what}: permission denied ('{ds.Name}' is read-only in this jail)", Errno.EPERM);
            if (!_store.IsJailed(ds))
                return Fail($"{what}: permission denied ('{ds.Name}' is not jailed)", Errno.EPERM);
        }
        if (Priv.Check(cred, Privilege.VfsAdmin) != Errno.OK)
            return Fail($"{what}: permission denied", Errno.EPERM);
        return SysResult<int>.Success(0);
    }

    /// <summary>True when <paramref name="name"/> is one of the datasets attached to the caller's own jail.</summary>
    private bool IsAttachedRoot(Ucred cred, string name) =>
        cred.IsJailed && Slot?.Get(cred.Jail) is { } attached && attached.Names.Contains(name);

    private static SysResult<int> Fail(string message, Errno error) => SysResult<int>.Fail(error, message);

    private static SysResult<T> Fail<T>(SysResult<int> failure) => SysResult<T>.Fail(failure.Error, failure.Message);
}
