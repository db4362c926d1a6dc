using System.Globalization;
using Prison.Core;
using Prison.Core.Procs;
using Prison.Core.Zfs;

namespace Prison.Plugins.ZfsDataset;

internal sealed partial class ZfsFacility
{
    /// <inheritdoc />
    public SysResult<IReadOnlyList<ZfsListRow>> List(Proc caller, string? name = null, bool recursive = false,
        IReadOnlyList<string>? properties = null, bool includeSnapshots = false)
    {
        var columns = properties is { Count: > 0 } ? properties : ZfsProps.ListDefault;
        if (columns.FirstOrDefault(c => !ZfsProps.IsKnown(c)) is { } bad)
            return SysResult<IReadOnlyList<ZfsListRow>>.Fail(Errno.EINVAL, $"invalid property '{bad}'");
        if (name is not null)
        {
            var valid = DatasetName.CheckAny("open", name);
            if (!valid.Ok)
                return Fail<IReadOnlyList<ZfsListRow>>(valid);
        }
        var cred = caller.Cred;
        lock (_lock)
        {
            IEnumerable<Dataset> rows;
            if (name is null)
            {
                rows = _store.All.Where(d => See(cred, d.Name) != Visibility.None && (includeSnapshots || !d.IsSnapshot));
            }
            else
            {
                var ds = FindVisible(cred, name);
                if (ds is null)
                    return SysResult<IReadOnlyList<ZfsListRow>>.Fail(Errno.ENOENT, $"cannot open '{name}': dataset does not exist");
                var below = recursive
                    ? _store.All.Where(d => DatasetName.IsBelow(d.Name, name) && See(cred, d.Name) != Visibility.None && (includeSnapshots || !d.IsSnapshot))
                    : [];
                rows = [ds, .. below];
            }
            var result = rows.Select(d => new ZfsListRow(d.Name, columns.Select(c => new KeyValuePair<string, string>(c, Value(d, c).Value)).ToArray()))
                .ToArray();
            return SysResult<IReadOnlyList<ZfsListRow>>.Success(result);
        }
    }

    /// <inheritdoc />
    public SysResult<IReadOnlyList<ZfsProperty>> Get(Proc caller, string name, IReadOnlyList<string> properties)
    {
        var wanted = properties.Count == 0 || properties.Contains("all") ? [ZfsProps.Name, .. ZfsProps.All] : properties;
        if (wanted.FirstOrDefault(c => !ZfsProps.IsKnown(c)) is { } bad)
            return SysResult<IReadOnlyList<ZfsProperty>>.Fail(Errno.EINVAL, $"bad property list: invalid property '{bad}'");
        var valid = DatasetName.CheckAny("open", name);
        if (!valid.Ok)
            return Fail<IReadOnlyList<ZfsProperty>>(valid);
        lock (_lock)
        {
            var ds = FindVisible(caller.Cred, name);
            if (ds is null)
                return SysResult<IReadOnlyList<ZfsProperty>>.Fail(Errno.ENOENT, $"cannot open '{name}': dataset does not exist");
            return SysResult<IReadOnlyList<ZfsProperty>>.Success(
                wanted.Select(p => { var (value, source) = Value(ds, p); return new ZfsProperty(ds.Name, p, value, source); }).ToArray());
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// From a jail: <c>jailed</c> cannot be changed (EPERM), and a quota can be set only strictly below
    /// the dataset whose <c>jailed</c> was set on the host (OpenZFS <c>zfs_check_settable</c>), so a jail
    /// cannot raise the quota it was given. A new mountpoint takes effect at the next mount.
    /// </remarks>
    public SysResult<int> Set(Proc caller, string name, string property, string value)
    {
        var cred = caller.Cred;
        var what = $"cannot set property for '{name}'";
        var valid = DatasetName.CheckAny("open", name);
        if (!valid.Ok)
            return valid;
        lock (_lock)
        {
            var ds = FindVisible(cred, name);
            if (ds is null)
                return Fail($"cannot open '{name}': dataset does not exist", Errno.ENOENT);
            var parsed = ZfsProps.Parse(name, property, value);
            if (!parsed.Ok)
                return Fail(parsed.ErrorText, parsed.Error);
            if (ds.IsSnapshot)
                return Fail($"{what}: this property can not be modified for snapshots", Errno.EINVAL);
            var allowed = CheckWrite(cred, what, ds);
            if (!allowed.Ok)
                return allowed;
            if (cred.IsJailed && property == ZfsProps.Jailed)
                return Fail($"{what}: 'jailed' cannot be changed from within a jail", Errno.EPERM);
            if (property == ZfsProps.Quota)
            {
                if (cred.IsJailed && _store.Inherited(ds, ZfsProps.Jailed) is { } setpoint && name.Length <= setpoint.Setpoint.Name.Length)
                    return Fail($"{what}: permission denied (the quota of the delegated dataset is set on the host)", Errno.EPERM);
                var quota = long.Parse(parsed.Value, CultureInfo.InvariantCulture);
                if (quota > 0 && quota < _store.Used(ds))
                    return Fail($"{what}: size is less than current used or reserved space", Errno.ENOSPC);
                if (quota == 0)
                    ds.Local.Remove(ZfsProps.Quota);
                else
                    ds.Local[ZfsProps.Quota] = parsed.Value;
                return SysResult<int>.Success(0);
            }
            ds.Local[property] = parsed.Value;
        }
        return SysResult<int>.Success(0);
    }

    /// <summary>A property's value and source as zfs get prints them (sizes in bytes). Call under <c>_lock</c>.</summary>
    private (string Value, string Source) Value(Dataset ds, string property)
    {
        const string none = "-";
        switch (property)
        {
            case ZfsProps.Name:
                return (ds.Name, none);
            case ZfsProps.Type:
                return (ds.IsSnapshot ? "snapshot" : "filesystem", none);
            case ZfsProps.Used:
                return (Bytes(_store.Used(ds)), none);
            case ZfsProps.Referenced:
                return (Bytes(ds.Referenced), none);
            case ZfsProps.Mounted:
                return (ds.IsSnapshot ? none : IsMounted(ds.Name) ? "yes" : "no", none);
        }
        if (ds.IsSnapshot)
            return (none, none);
        switch (property)
        {
            case ZfsProps.Quota:
                return ds.Local.TryGetValue(ZfsProps.Quota, out var q) ? (q, "local") : ("none", "default");
            case ZfsProps.MountPoint:
                return (_store.MountPoint(ds), Source(ds, ZfsProps.MountPoint));
            default:
                return (_store.IsJailed(ds) ? "on" : "off", Source(ds, ZfsProps.Jailed));
        }
    }

    private string Source(Dataset ds, string property) => _store.Inherited(ds, property) switch
    {
        null => "default",
        var (_, setpoint) when ReferenceEquals(setpoint, ds) => "local",
        var (_, setpoint) => "inherited from " + setpoint.Name,
    };

    private static string Bytes(long n) => n.ToString(CultureInfo.InvariantCulture);
}
