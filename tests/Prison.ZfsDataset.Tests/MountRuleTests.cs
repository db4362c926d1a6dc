using Prison.Core;
using Prison.Core.Modules;
using Prison.Core.Vfs;
using Prison.Core.Zfs;
using static Prison.ZfsDataset.Tests.ZfsTestKernel;

namespace Prison.ZfsDataset.Tests;

/// <summary>A tiny module registering a file system type, to test the VFS rules with other types.</summary>
public sealed class TestFsModule(string fsType, VfsTypeFlags flags) : KernelModule
{
    /// <inheritdoc />
    public override string Name => "fs_" + fsType;

    /// <inheritdoc />
    public override void Load(ModuleContext context) =>
        context.RegisterFileSystemType(new VfsType { Name = fsType, Flags = flags });
}

/// <summary>
/// Mounting from a jail: VFCF_JAIL, allow.mount, allow.mount.TYPE, enforce_statfs, root only, the
/// legacy security.jail.mount_allowed default; what each jail sees of the mount table; who unmounts.
/// </summary>
public class MountRuleTests
{
    private const string Ds = "tank/pg1";

    private static (ZfsTestKernel T, Prison.Core.Jails.Jail Jail) JailWithDataset(params (string, string?)[] jailParams)
    {
        var t = new ZfsTestKernel();
        var jail = t.Jail("pg", jailParams);
        t.Delegate(Ds, jail);
        return (t, jail);
    }

    [Theory]
    [InlineData(false, true, 1, "allow.mount")]
    [InlineData(true, false, 1, "allow.mount.zfs")]
    [InlineData(true, true, 2, "enforce_statfs")]
    public void Jail_mount_needs_every_permission(bool allowMount, bool allowMountZfs, int enforceStatfs, string missing)
    {
        var (t, jail) = JailWithDataset(("allow.mount", allowMount ? "1" : "0"), ("allow.mount.zfs", allowMountZfs ? "1" : "0"),
            ("enforce_statfs", enforceStatfs.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        using (t)
        {
            Fails(Errno.EPERM, t.K.Syscalls.ZfsMount(t.RootIn(jail), Ds), missing);
            Assert.Empty(t.K.Vfs.Mounts);
            Assert.Equal("no", t.Prop(t.Host, Ds, "mounted"));
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Jail_with_every_permission_mounts_and_unmounts(int enforceStatfs)
    {
        var (t, jail) = JailWithDataset(("allow.mount", "1"), ("allow.mount.zfs", "1"),
            ("enforce_statfs", enforceStatfs.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        using (t)
        {
            var root = t.RootIn(jail);
            Ok(t.K.Syscalls.ZfsMount(root, Ds));
            var entry = Assert.Single(t.K.Vfs.Mounts);
            Assert.Equal(("zfs", Ds, "/tank/pg1", jail), (entry.FsType, entry.Source, entry.MountPoint, entry.MountedBy));
            Assert.Equal("yes", t.Prop(root, Ds, "mounted"));
            Fails(Errno.EBUSY, t.K.Syscalls.ZfsMount(root, Ds), "already mounted");
            Fails(Errno.EPERM, t.K.Syscalls.ZfsUnmount(t.UserIn(jail, 1001), Ds));
            Ok(t.K.Syscalls.ZfsUnmount(root, Ds));
            Assert.Empty(t.K.Vfs.Mounts);
            Fails(Errno.EINVAL, t.K.Syscalls.ZfsUnmount(root, Ds), "not currently mounted");
        }
    }

    [Fact]
    public void Jail_non_root_cannot_mount()
    {
        var (t, jail) = JailWithDataset(("allow.mount", "1"), ("allow.mount.zfs", "1"), ("enforce_statfs", "1"));
        using (t)
            Fails(Errno.EPERM, t.K.Syscalls.ZfsMount(t.UserIn(jail, 1001), Ds), "only root");
    }

    [Fact]
    public void A_type_without_VFCF_JAIL_mounts_from_the_host_only()
    {
        var (t, jail) = JailWithDataset(("allow.mount", "1"), ("allow.mount.zfs", "1"), ("enforce_statfs", "1"));
        using (t)
        {
            Ok(t.K.Modules.LoadInstance(new TestFsModule("hostfs", VfsTypeFlags.None)));
            Assert.Null(t.K.Jails.Parameters.Find("allow.mount.hostfs"));
            Fails(Errno.ENOENT, t.TryJail(t.Host, "other", ("allow.mount.hostfs", "1")), "unknown parameter: allow.mount.hostfs");
            Fails(Errno.EPERM, t.K.Vfs.Mount(t.RootIn(jail), "hostfs", "disk0", "/mnt"), "not jail-friendly");
            Ok(t.K.Vfs.Mount(t.Host, "hostfs", "disk0", "/mnt"));
            Fails(Errno.ENODEV, t.K.Vfs.Mount(t.Host, "nosuchfs", "x", "/x"), "unknown file system type");
        }
    }

    [Fact]
    public void A_jail_friendly_type_adds_its_own_allow_flag()
    {
        var (t, jail) = JailWithDataset(("allow.mount", "1"), ("allow.mount.zfs", "1"), ("enforce_statfs", "1"));
        using (t)
        {
            Ok(t.K.Modules.LoadInstance(new TestFsModule("jfs", VfsTypeFlags.Jail)));
            Assert.NotNull(t.K.Jails.Parameters.Find("allow.mount.jfs"));
            // allow.mount.zfs does not open jfs.
            Fails(Errno.EPERM, t.K.Vfs.Mount(t.RootIn(jail), "jfs", "src", "/jfs"), "allow.mount.jfs");
            var withJfs = t.Jail("j2", ("allow.mount", "1"), ("allow.mount.jfs", "1"), ("enforce_statfs", "1"));
            Ok(t.K.Vfs.Mount(t.RootIn(withJfs), "jfs", "src", "/jfs"));
            Fails(Errno.EBUSY, t.K.Vfs.Mount(t.Host, "jfs", "src2", "/jfs"), "already mounted there");
            // Unloading the type takes its mounts and its parameter away.
            Ok(t.K.Modules.Unload(t.Host.Cred, "fs_jfs"));
            Assert.Empty(t.K.Vfs.Mounts);
            Assert.Null(t.K.Jails.Parameters.Find("allow.mount.jfs"));
        }
    }

    [Fact]
    public void Mount_allowed_sysctl_is_the_legacy_default_for_allow_mount()
    {
        using var t = new ZfsTestKernel();
        var before = t.Jail("before", ("allow.mount.zfs", "1"), ("enforce_statfs", "1"));
        Assert.Equal(Errno.OK, t.K.Sysctl.Write(t.Host.Cred, "security.jail.mount_allowed", "1"));
        var after = t.Jail("after", ("allow.mount.zfs", "1"), ("enforce_statfs", "1"));
        var optedOut = t.Jail("optedout", ("allow.nomount", null), ("allow.mount.zfs", "1"), ("enforce_statfs", "1"));
        t.Delegate("tank/before", before);
        t.Delegate("tank/after", after);
        t.Delegate("tank/optedout", optedOut);
        Fails(Errno.EPERM, t.K.Syscalls.ZfsMount(t.RootIn(before), "tank/before"), "allow.mount");
        Ok(t.K.Syscalls.ZfsMount(t.RootIn(after), "tank/after"));
        Fails(Errno.EPERM, t.K.Syscalls.ZfsMount(t.RootIn(optedOut), "tank/optedout"), "allow.mount");
        // allow.mount.zfs is not implied by the legacy default.
        var noZfs = t.Jail("nozfs", ("enforce_statfs", "1"));
        t.Delegate("tank/nozfs", noZfs);
        Fails(Errno.EPERM, t.K.Syscalls.ZfsMount(t.RootIn(noZfs), "tank/nozfs"), "allow.mount.zfs");
    }

    [Fact]
    public void A_child_jail_cannot_lower_enforce_statfs_below_its_parent()
    {
        using var t = new ZfsTestKernel();
        var parent = t.Jail("p", ("children.max", "1"), ("enforce_statfs", "1"), ("allow.mount", "1"), ("allow.mount.zfs", "1"));
        Fails(Errno.EPERM, t.TryJail(t.RootIn(parent), "c", ("enforce_statfs", "0")));
        var child = t.JailAs(t.RootIn(parent), "c", ("allow.mount", "1"), ("allow.mount.zfs", "1"));
        Assert.Equal(2, child.EnforceStatfs);
    }

    [Fact]
    public void What_each_jail_sees_follows_enforce_statfs()
    {
        using var t = new ZfsTestKernel();
        var pg = t.Jail("pg", ("allow.mount", "1"), ("allow.mount.zfs", "1"), ("enforce_statfs", "1"), ("children.max", "1"));
        var sub = t.JailAs(t.RootIn(pg), "sub", ("allow.mount", "1"), ("allow.mount.zfs", "1"), ("enforce_statfs", "1"));
        var open = t.Jail("open", ("allow.mount", "1"), ("allow.mount.zfs", "1"), ("enforce_statfs", "0"));
        var closed = t.Jail("closed");
        t.Create("tank/host");
        t.Delegate("tank/pg", pg);
        t.Delegate("tank/sub", sub);
        t.Delegate("tank/open", open);
        Ok(t.K.Syscalls.ZfsMount(t.Host, "tank/host"));
        Ok(t.K.Syscalls.ZfsMount(t.RootIn(pg), "tank/pg"));
        Ok(t.K.Syscalls.ZfsMount(t.RootIn(sub), "tank/sub"));
        Ok(t.K.Syscalls.ZfsMount(t.RootIn(open), "tank/open"));

        string[] Seen(Prison.Core.Jails.Jail j) => t.K.Vfs.List(t.RootIn(j)).Select(m => m.Source).ToArray();
        Assert.Equal(["tank/host", "tank/pg", "tank/sub", "tank/open"], t.K.Vfs.List(t.Host).Select(m => m.Source));
        Assert.Equal(["tank/pg", "tank/sub"], Seen(pg));
        Assert.Equal(["tank/sub"], Seen(sub));
        Assert.Equal(["tank/host", "tank/pg", "tank/sub", "tank/open"], Seen(open));
        Assert.Empty(Seen(closed));
        Fails(Errno.ENOENT, t.K.Vfs.Statfs(t.RootIn(sub), "/tank/pg"));
        Ok(t.K.Vfs.Statfs(t.RootIn(pg), "/tank/sub"));

        // Unmount: only the jail that mounted it; the host anything.
        Fails(Errno.EPERM, t.K.Vfs.Unmount(t.RootIn(pg), "/tank/sub"), "not mounted by this jail");
        Fails(Errno.EINVAL, t.K.Vfs.Unmount(t.RootIn(sub), "/tank/pg"));
        Fails(Errno.EPERM, t.K.Vfs.Unmount(t.RootIn(open), "/tank/host"));
        Ok(t.K.Vfs.Unmount(t.Host, "/tank/sub"));
        Ok(t.K.Vfs.Unmount(t.RootIn(pg), "/tank/pg"));
    }

    [Fact]
    public void Raw_mount_from_a_jail_of_a_dataset_it_cannot_write_is_EPERM()
    {
        using var t = new ZfsTestKernel();
        var pg = t.MountingJail("pg");
        t.Delegate("tank/pg", pg);
        t.Create("tank/other", ("jailed", "on"));
        var root = t.RootIn(pg);
        // As FreeBSD's zfs_mount: invisible and missing datasets both answer EPERM, so nothing leaks.
        Fails(Errno.EPERM, t.K.Vfs.Mount(root, "zfs", "tank/other", "/x"));
        Fails(Errno.EPERM, t.K.Vfs.Mount(root, "zfs", "tank/missing", "/x"));
        Fails(Errno.EPERM, t.K.Vfs.Mount(root, "zfs", "tank", "/x"));
        Ok(t.K.Vfs.Mount(root, "zfs", "tank/pg", "/elsewhere"));
        Fails(Errno.EBUSY, t.K.Vfs.Mount(root, "zfs", "tank/pg", "/again"), "already mounted");
        Fails(Errno.ENOENT, t.K.Vfs.Mount(t.Host, "zfs", "tank/missing", "/y"));
    }

    [Fact]
    public void Mountpoint_none_and_legacy_are_not_mounted_by_zfs_mount()
    {
        using var t = new ZfsTestKernel();
        t.Create("tank/a", ("mountpoint", "none"));
        t.Create("tank/b", ("mountpoint", "legacy"));
        t.Create("tank/c", ("mountpoint", "/srv/c"));
        t.Create("tank/c/d");
        Fails(Errno.EINVAL, t.K.Syscalls.ZfsMount(t.Host, "tank/a"), "no mountpoint set");
        Fails(Errno.EINVAL, t.K.Syscalls.ZfsMount(t.Host, "tank/b"), "legacy");
        Ok(t.K.Syscalls.ZfsMount(t.Host, "tank/c/d"));
        Assert.Equal("/srv/c/d", t.K.Vfs.Mounts.Single().MountPoint);
    }
}
