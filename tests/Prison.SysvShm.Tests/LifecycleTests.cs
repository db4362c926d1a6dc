using Prison.Core;
using Prison.Core.Ipc;
using Prison.Core.Jails;
using Prison.Core.Modules;
using Prison.Plugins.SysvShm;
using static Prison.Core.Ipc.IpcConstants;
using static Prison.SysvShm.Tests.ShmTestKernel;

namespace Prison.SysvShm.Tests;

/// <summary>Process exit, jail_attach, jail removal and parameter changes, load and unload, sysctls.</summary>
public class LifecycleTests
{
    [Fact]
    public void Process_exit_detaches_everything_and_frees_removed_segments()
    {
        using var k = Boot();
        var p = k.Spawn(k.Prison0, 770, 770);
        var kept = k.Create(p, IPC_PRIVATE);
        var doomed = k.Create(p, IPC_PRIVATE);
        k.Attach(p, kept);
        k.Attach(p, kept);
        k.Attach(p, doomed);
        Assert.Equal(Errno.OK, k.Rmid(p, doomed));
        k.Processes.Exit(p);
        Assert.Equal(0, k.Stat(k.Init, kept).Value.Nattch);
        Assert.Equal(Errno.EINVAL, k.Stat(k.Init, doomed).Error);
        Assert.Equal(Errno.EINTR, k.Syscalls.ShmAt(p, kept, 0, 0).Error); // an exited process gets nothing attached
    }

    [Fact]
    public void Jail_attach_is_refused_while_the_process_has_segments_attached()
    {
        using var k = Boot();
        var jail = k.NewJail("pg", "new");
        var p = k.Spawn(k.Prison0);
        var id = k.Create(p, IPC_PRIVATE);
        var at = k.Attach(p, id);
        var refused = k.Syscalls.JailAttach(p, jail.Id);
        Assert.Equal(Errno.EBUSY, refused.Error);
        Assert.Contains("shared memory", refused.Message, StringComparison.Ordinal);
        Assert.Same(k.Prison0, p.Jail);
        Assert.Equal(Errno.OK, k.Syscalls.ShmDt(p, at));
        Assert.True(k.Syscalls.JailAttach(p, jail.Id).Ok); // a detached (reserved) range does not count
        Assert.Same(jail, p.Jail);
    }

    [Fact]
    public void Jail_removal_removes_its_segments_and_an_attached_one_holds_the_dying_jail()
    {
        using var k = Boot();
        var jail = k.NewJail("pg", "new");
        var inJail = k.Spawn(jail, 770, 770);
        var loose = k.Create(inJail, Key);
        var held = k.Create(inJail, IPC_PRIVATE);
        var hostAt = k.Attach(k.Init, held);
        k.Attach(inJail, held);

        Assert.Equal(Errno.OK, k.Syscalls.JailRemove(k.Init, jail.Id));
        Assert.Equal(Errno.EINVAL, k.Stat(k.Init, loose).Error);
        var ds = k.Stat(k.Init, held).Value;
        Assert.True(ds.IsDest());
        Assert.Equal(1, ds.Nattch); // the jail's process exited and detached
        Assert.Equal(JailState.Dying, jail.State);
        Assert.Same(jail, k.Jails.Find(jail.Id));

        Assert.Equal(Errno.OK, k.Syscalls.ShmDt(k.Init, hostAt));
        Assert.Equal(Errno.EINVAL, k.Stat(k.Init, held).Error);
        Assert.Equal(JailState.Dead, jail.State);
        Assert.Null(k.Jails.Find(jail.Id));
    }

    [Fact]
    public void Unattached_segments_do_not_keep_a_removed_jail_alive()
    {
        using var k = Boot();
        var jail = k.NewJail("pg", "new");
        k.Create(k.Spawn(jail), Key);
        Assert.Equal(Errno.OK, k.Syscalls.JailRemove(k.Init, jail.Id));
        Assert.Equal(JailState.Dead, jail.State);
        Assert.Empty(k.Segments(k.Init));
    }

    [Fact]
    public void Leaving_new_cleans_up_the_jails_segments_but_inherit_keeps_them()
    {
        using var k = Boot();
        var jail = k.NewJail("pg", "new");
        var id = k.Create(k.Spawn(jail), Key);
        Assert.True(k.Update(jail, "sysvshm", "inherit").Ok);
        Assert.Equal(Errno.EINVAL, k.Stat(k.Init, id).Error);

        var inherited = k.Create(k.Spawn(jail), Key);
        Assert.True(k.Update(jail, "sysvshm", "disable").Ok); // not its own namespace: nothing to clean
        Assert.True(k.Stat(k.Init, inherited).Ok);
    }

    [Fact]
    public void Unload_is_refused_while_a_segment_exists_and_undoes_everything_after()
    {
        using var k = Boot();
        var id = k.Create(k.Init, IPC_PRIVATE);
        var refused = k.Modules.Unload(k.Init.Cred, "sysvshm");
        Assert.Equal(Errno.EBUSY, refused.Error);
        Assert.True(k.Stat(k.Init, id).Ok);
        Assert.Equal(Errno.OK, k.Rmid(k.Init, id));

        Assert.True(k.Modules.Unload(k.Init.Cred, "sysvshm").Ok);
        Assert.Equal(Errno.ENOSYS, k.Syscalls.ShmGet(k.Init, IPC_PRIVATE, 4096, 0).Error);
        Assert.Equal(Errno.ENOENT, k.Sysctl.Read(k.Init.Cred, "kern.ipc.shmmax").Error);
        Assert.Equal(Errno.ENOENT, k.Sysctl.Read(k.Init.Cred, "kern.ipc.shmsegs").Error);
        Assert.Equal(Errno.ENOENT, k.Sysctl.Read(k.Init.Cred, "kern.ipc.shmsegs.jail.0").Error);
        Assert.Empty(k.Sysctl.List("kern.ipc"));
        var create = k.Syscalls.JailSet(k.Init, new JailParams { ["name"] = "x", ["persist"] = null, ["sysvshm"] = "new" }, JailFlags.Create);
        Assert.Equal(Errno.ENOENT, create.Error);
    }

    [Fact]
    public void Forced_unload_is_EBUSY_while_a_segment_exists_and_changes_nothing()
    {
        // Issue 17 item 12: kldload sysvshm, shmget 7 4096 IPC_CREAT|0600, shmat $0 0, kldunload -f sysvshm.
        // FreeBSD: -f skips MOD_QUIESCE only; shmunload() itself returns EBUSY while shm_nused > 0.
        using var k = Boot();
        var jail = k.NewJail("pg", "new");
        var p = k.Spawn(jail);
        var id = k.Create(p, 7, 4096, IPC_CREAT | 0x180);
        k.Attach(p, id);
        Assert.Equal(Errno.EBUSY, k.Modules.Unload(k.Init.Cred, "sysvshm", force: true).Error);
        // Nothing changed: the module, its syscalls and the segment are all still there.
        Assert.NotNull(k.Modules.Find("sysvshm"));
        Assert.Equal(1, k.Stat(p, id).Value.Nattch);
        Assert.Equal(Errno.EBUSY, k.Modules.Unload(k.Init.Cred, "sysvshm").Error);

        k.Processes.Exit(p);
        Assert.Equal(Errno.OK, k.Syscalls.JailRemove(k.Init, jail.Id)); // its namespace goes with it
        Assert.Equal(JailState.Dead, jail.State);
        Assert.True(k.Modules.Unload(k.Init.Cred, "sysvshm", force: true).Ok);
    }

    [Fact]
    public void Loading_with_jails_alive_inherits_for_allow_sysvipc_and_disables_the_rest()
    {
        using var k = new Kernel();
        var legacy = k.NewJail("legacy", null, ("allow.sysvipc", "true"));
        var plain = k.NewJail("plain", null);
        Assert.True(k.Modules.LoadInstance(new SysvShmModule()).Ok);
        var id = k.Create(k.Init, IPC_PRIVATE);
        Assert.True(k.Stat(k.Spawn(legacy), id).Ok);
        Assert.Equal(Errno.ENOSYS, k.Stat(k.Spawn(plain), id).Error);
    }

    [Fact]
    public void Limits_have_FreeBSD_defaults_and_validate_writes()
    {
        using var k = Boot();
        Assert.Equal(536870912, k.Sysctl("kern.ipc.shmmax"));
        Assert.Equal(1, k.Sysctl("kern.ipc.shmmin"));
        Assert.Equal(192, k.Sysctl("kern.ipc.shmmni"));
        Assert.Equal(128, k.Sysctl("kern.ipc.shmseg"));
        Assert.Equal(131072, k.Sysctl("kern.ipc.shmall"));
        Assert.Equal(1, k.Sysctl("kern.ipc.shm_allow_removed"));
        Assert.Equal(0, k.Sysctl("kern.ipc.shm_use_phys"));

        var root = k.Init.Cred;
        Assert.Equal(Errno.EINVAL, k.Sysctl.Write(root, "kern.ipc.shmmax", "-1"));
        Assert.Equal(Errno.EINVAL, k.Sysctl.Write(root, "kern.ipc.shmmni", "0"));
        Assert.Equal(Errno.EINVAL, k.Sysctl.Write(root, "kern.ipc.shmmni", "65537"));
        Assert.Equal(Errno.EINVAL, k.Sysctl.Write(root, "kern.ipc.shmseg", "0"));
        Assert.Equal(Errno.EINVAL, k.Sysctl.Write(root, "kern.ipc.shm_allow_removed", "2"));
        Assert.Equal(Errno.EINVAL, k.Sysctl.Write(root, "kern.ipc.shmall", "abc"));
        Assert.Equal(192, k.Sysctl("kern.ipc.shmmni"));
        Assert.Equal(Errno.EPERM, k.Sysctl.Write(k.Spawn(k.Prison0, 770, 770).Cred, "kern.ipc.shmmax", "4096"));
        Assert.Equal(Errno.EPERM, k.Sysctl.Write(k.Spawn(k.NewJail("pg", "new")).Cred, "kern.ipc.shmmax", "4096"));
        Assert.Equal(Errno.OK, k.Sysctl.Write(root, "kern.ipc.shmmax", "4096"));
        Assert.Equal(Errno.EINVAL, k.Syscalls.ShmGet(k.Init, IPC_PRIVATE, 4097, 0).Error);
    }

    [Fact]
    public void Loader_tunables_are_read_at_load()
    {
        using var k = new Kernel();
        k.Kenv.Set("kern.ipc.shmmaxpgs", "16");
        k.Kenv.Set("kern.ipc.shmmni", "3");
        k.Kenv.Set("kern.ipc.shmseg", "nonsense");
        Assert.True(k.Modules.LoadInstance(new SysvShmModule()).Ok);
        Assert.Equal(16, k.Sysctl("kern.ipc.shmall"));
        Assert.Equal(16 * 4096, k.Sysctl("kern.ipc.shmmax"));
        Assert.Equal(3, k.Sysctl("kern.ipc.shmmni"));
        Assert.Equal(128, k.Sysctl("kern.ipc.shmseg"));
    }

    [Fact]
    public void Per_jail_dumps_list_a_jails_own_segments_and_recursively_its_descendants()
    {
        using var k = Boot();
        var pg = k.NewJail("pg", "new", ("children.max", "2"));
        var child = k.NewJail("pg.c", "new");
        var other = k.NewJail("other", "new");
        var inPg = k.Spawn(pg);
        var own = k.Create(inPg, Key);
        var deep = k.Create(k.Spawn(child), Key);
        k.Create(k.Spawn(other), Key);
        var host = k.Create(k.Init, Key);

        Assert.Equal([own], Ids(k.Segments(k.Init, $"kern.ipc.shmsegs.jail.{pg.Id}")));
        Assert.Equal([own, deep], Ids(k.Segments(k.Init, $"kern.ipc.shmsegs.jail.{pg.Id}.r")));
        Assert.Equal([host], Ids(k.Segments(k.Init, "kern.ipc.shmsegs.jail.0")));
        Assert.Equal(4, k.Segments(k.Init, "kern.ipc.shmsegs.jail.0.r").Count);
        Assert.All(k.Segments(k.Init, $"kern.ipc.shmsegs.jail.{pg.Id}.r"), s => Assert.Equal(0, s.Ds.Perm.Key));
        // Inside pg: its own dump with its keys; the host's and a sibling's do not exist for it.
        Assert.Equal(Key, Assert.Single(k.Segments(inPg, $"kern.ipc.shmsegs.jail.{pg.Id}")).Ds.Perm.Key);
        Assert.Equal(Errno.ENOENT, k.Sysctl.Read(inPg.Cred, "kern.ipc.shmsegs.jail.0").Error);
        Assert.Equal(Errno.ENOENT, k.Sysctl.Read(inPg.Cred, $"kern.ipc.shmsegs.jail.{other.Id}").Error);
        Assert.Contains(k.Sysctl.List("kern.ipc.shmsegs"), n => n.Name == $"kern.ipc.shmsegs.jail.{child.Id}.r");
    }

    private static int[] Ids(IReadOnlyList<ShmSegmentInfo> list) => list.Select(s => s.Id).ToArray();
}
