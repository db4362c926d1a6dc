using Microsoft.Extensions.Logging;
using Prison.Core;
using Prison.Core.Jails;
using Prison.Core.Procs;
using Prison.Core.Services;

namespace Prison.Plugins.ZfsDataset;

internal sealed partial class ZfsSyscalls
{
    /// <inheritdoc />
    public SysResult<int> Jail(Proc caller, string jail, string dataset) => AttachOrDetach(caller, jail, dataset, attach: true);

    /// <inheritdoc />
    public SysResult<int> Unjail(Proc caller, string jail, string dataset) => AttachOrDetach(caller, jail, dataset, attach: false);

    /// <inheritdoc />
    public SysResult<IReadOnlyList<string>> Attached(Proc caller, string jail)
    {
        if (Priv.Check(caller.Cred, Privilege.ZfsJail) != Errno.OK)
            return SysResult<IReadOnlyList<string>>.Fail(Errno.EPERM, "permission denied");
        var target = _jails.FindVisible(caller.Jail, jail);
        if (target is null)
            return SysResult<IReadOnlyList<string>>.Fail(Errno.ENOENT, $"jail '{jail}' not found");
        lock (_lock)
        {
            return Slot?.Get(target) is { Dead: false } list
                ? SysResult<IReadOnlyList<string>>.Success(list.Names.ToArray())
                : SysResult<IReadOnlyList<string>>.Fail(Errno.ENOENT, $"jail '{jail}' not found");
        }
    }

    /// <summary>
    /// <c>zfs jail</c> / <c>zfs unjail</c> (libzfs <c>zfs_jail</c>, then OpenZFS <c>zone_dataset_attach</c> /
    /// <c>zone_dataset_detach</c>). Check order: privilege, name, dataset, type, jail, list. The attach
    /// does not need <c>jailed=on</c> (spl_zone.c checks only the privilege, the jail and duplicates):
    /// without it the dataset is listed in the jail but read-only there, because every change from
    /// inside (<c>zfs_dozonecheck</c>) needs the dataset jailed.
    /// </summary>
    private SysResult<int> AttachOrDetach(Proc caller, string jail, string dataset, bool attach)
    {
        var verb = attach ? "jail" : "unjail";
        var what = $"cannot {verb} '{dataset}'";
        if (Priv.Check(caller.Cred, Privilege.ZfsJail) != Errno.OK)
            return Fail($"{what}: permission denied", Errno.EPERM);
        var valid = DatasetName.CheckAny(verb, dataset);
        if (!valid.Ok)
            return valid;
        // Looked up before taking our lock: the jail list lock never calls out, but keep it short anyway.
        var target = _jails.FindVisible(caller.Jail, jail);
        lock (_lock)
        {
            var ds = _store.Find(dataset);
            if (ds is null)
                return Fail($"{what}: dataset does not exist", Errno.ENOENT);
            if (ds.IsSnapshot)
                return Fail($"{what}: snapshots can not be jailed", Errno.EINVAL);
            if (target is null || Slot?.Get(target) is not { Dead: false } list)
                return Fail($"{what}: jail '{jail}' not found", Errno.ENOENT);
            if (attach)
            {
                if (list.Names.Contains(dataset))
                    return Fail($"{what}: dataset is already attached to jail '{jail}'", Errno.EEXIST);
                list.Names.Add(dataset);
            }
            else if (!list.Names.Remove(dataset))
            {
                return Fail($"{what}: dataset is not attached to jail '{jail}'", Errno.ENOENT);
            }
            _log.LogInformation("{Verb} {Dataset} {Direction} jail {Jid}", verb, dataset, attach ? "to" : "from", target.Id);
        }
        return SysResult<int>.Success(0);
    }

    /// <summary>The service definition: an empty list per jail, unmount on removal, detach on destroy.</summary>
    public JailServiceDefinition<JailDatasets> ServiceDefinition() => new()
    {
        Name = "zfs",
        Create = (_, _) => new JailDatasets(),
        Remove = RemoveMethod,
        Destroy = DestroyJail,
    };

    /// <summary>The jail is dying: its processes are gone, so what it mounted is unmounted now.</summary>
    private Errno RemoveMethod(in JailMethodArgs<JailDatasets> args)
    {
        UnmountMountedBy(args.Jail);
        return Errno.OK;
    }

    /// <summary>The jail is freed or the module unloads: unmount what is left and detach everything.</summary>
    private void DestroyJail(Jail jail, JailDatasets? data)
    {
        UnmountMountedBy(jail);
        if (data is null)
            return;
        lock (_lock)
        {
            if (data.Names.Count > 0)
                _log.LogInformation("jail {Jid} goes away: detaching {Datasets}", jail.Id, string.Join(", ", data.Names));
            data.Names.Clear();
            data.Dead = true;
        }
    }

    private void UnmountMountedBy(Jail jail)
    {
        foreach (var m in FileSystem.MountedBy(jail))
        {
            if (FileSystem.ForceUnmount(m))
                _log.LogInformation("jail {Jid} goes away: unmounted {Mount}", jail.Id, m);
        }
    }
}
