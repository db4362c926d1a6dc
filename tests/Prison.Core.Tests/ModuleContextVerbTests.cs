using Prison.Core.Jails;
using Prison.Core.Modules;
using Prison.Core.Procs;
using Prison.Core.Rctl;
using Prison.Core.Services;
using Prison.Core.Vfs;

namespace Prison.Core.Tests;

/// <summary>
/// What a module gets instead of the kernel: jail lookups, a racct handle limited to the resources it
/// declared, read-only tunables read live, the clock, and the mounts of the file system type it
/// registered (and nothing of another type), stale once it unloads.
/// </summary>
public class ModuleContextVerbTests
{
    /// <summary>Keeps its context so the test can use the verbs the way a module does.</summary>
    private sealed class VerbModule(string name = "verbs") : KernelModule
    {
        public ModuleContext Context { get; private set; } = null!;

        public RacctHandle Racct { get; private set; } = null!;

        public FileSystemMounts? FileSystem { get; private set; }

        public string? FsType { get; init; }

        public override string Name => name;

        public override void Load(ModuleContext context)
        {
            Context = context;
            Racct = context.RacctFor(RacctResource.Nshm, RacctResource.ShmSize);
            if (FsType is { } type)
                FileSystem = context.RegisterFileSystemType(new VfsType { Name = type, Flags = VfsTypeFlags.Jail });
        }
    }

    private static VerbModule Load(Kernel k, VerbModule module)
    {
        var loaded = k.Modules.LoadInstance(module);
        Assert.True(loaded.Ok, loaded.ToString());
        return module;
    }

    [Fact]
    public void The_jail_lookup_finds_by_jid_and_by_name_as_the_viewer_sees_it()
    {
        using var k = new Kernel();
        var m = Load(k, new VerbModule());
        var web = k.Create("web", ("children.max", "1"));
        var app = k.CreateAs(k.RootIn(web), "app");
        var jails = m.Context.Jails;

        Assert.Same(k.Prison0, jails.Prison0);
        Assert.Same(web, jails.Find(web.Id));
        Assert.Null(jails.Find(999_999));
        Assert.Same(app, jails.FindVisible(k.Prison0, "web.app"));
        Assert.Same(app, jails.FindVisible(web, "app"));
        Assert.Null(jails.FindVisible(app, "web"));              // a parent is not visible from below
        Assert.Equal([web, app], jails.List(k.Prison0));
        Assert.Equal([app], jails.List(web));
    }

    [Fact]
    public void The_racct_handle_charges_its_declared_resources_against_the_rules()
    {
        using var k = new Kernel();
        var m = Load(k, new VerbModule());
        var web = k.Create("web");
        Assert.True(k.Racct.Syscalls.AddRule(k.Init.Cred, "jail:web:nshm:deny=1").Ok);

        Assert.Equal([RacctResource.Nshm, RacctResource.ShmSize], m.Racct.Resources);
        Assert.Equal(Errno.OK, m.Racct.Charge(web, RacctResource.Nshm, 1));
        Assert.Equal(Errno.ENOSPC, m.Racct.Check(web, RacctResource.Nshm, 1));
        Assert.Equal(Errno.ENOSPC, m.Racct.Charge(web, RacctResource.Nshm, 1));
        Assert.Equal(1, m.Racct.Usage(web, RacctResource.Nshm));
        Assert.Equal(1, m.Racct.Usage(k.Prison0, RacctResource.Nshm)); // charged to the ancestors too
        m.Racct.Release(web, RacctResource.Nshm, 1);
        Assert.Equal(0, k.Racct.Usage(web, RacctResource.Nshm));
    }

    [Fact]
    public void The_racct_handle_refuses_a_resource_the_module_did_not_declare_and_charges_nothing()
    {
        using var k = new Kernel();
        var m = Load(k, new VerbModule());
        var web = k.Create("web");

        Assert.Throws<ArgumentOutOfRangeException>(() => m.Racct.Charge(web, RacctResource.Nsem, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => m.Racct.Release(web, RacctResource.Nmsgq, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => m.Racct.Check(web, (RacctResource)99, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => m.Context.RacctFor((RacctResource)(-1)));
        Assert.Equal(0, k.Racct.Usage(web, RacctResource.Nsem));
    }

    [Fact]
    public void Tunables_are_read_live_and_the_clock_is_the_kernels()
    {
        var time = new FixedTime(DateTimeOffset.FromUnixTimeSeconds(1_000_000));
        using var k = new Kernel(new KernelOptions { Time = time });
        var m = Load(k, new VerbModule());

        Assert.Null(m.Context.Tunables.Get("verbs.level"));
        k.Kenv.Set("verbs.level", "3");
        Assert.Equal("3", m.Context.Tunables.Get("verbs.level"));
        Assert.Same(time, m.Context.Time);
    }

    [Fact]
    public void The_file_system_handle_mounts_and_lists_its_own_type_only()
    {
        using var k = new Kernel();
        var mine = Load(k, new VerbModule("mine") { FsType = "minefs" });
        var other = Load(k, new VerbModule("other") { FsType = "otherfs" });
        var fs = mine.FileSystem!;

        Assert.True(fs.Mount(k.Init, "pool/a", "/a").Ok);
        var foreign = other.FileSystem!.Mount(k.Init, "pool/b", "/b").Value;
        Assert.Equal(["pool/a"], fs.Mounts.Select(m => m.Source));
        Assert.Equal(["pool/a"], fs.List().Select(m => m.Source));
        Assert.Equal(["pool/a"], fs.MountedBy(k.Prison0).Select(m => m.Source));

        // Another type's mount is not this handle's to remove.
        var refused = fs.Unmount(k.Init, "/b");
        Assert.Equal(Errno.EINVAL, refused.Error);
        Assert.False(fs.ForceUnmount(foreign));
        Assert.Contains(foreign, k.Vfs.Mounts);

        Assert.True(fs.Unmount(k.Init, "/a").Ok);
        Assert.Empty(fs.Mounts);
    }

    [Fact]
    public void The_file_system_handle_keeps_every_mount_rule_for_a_jailed_caller()
    {
        using var k = new Kernel();
        var fs = Load(k, new VerbModule { FsType = "minefs" }).FileSystem!;
        var web = k.Create("web", ("allow.mount", null), ("enforce_statfs", "1"));
        var root = k.RootIn(web);

        Assert.Equal(Errno.EPERM, fs.Mount(root, "pool/a", "/a").Error);   // no allow.mount.minefs
        Assert.Equal(Errno.EPERM, fs.Mount(k.UserIn(k.Prison0, 1001, 1001), "pool/a", "/a").Error);
        Assert.Empty(fs.Mounts);
    }

    [Fact]
    public void The_file_system_handle_is_stale_after_unload_even_when_another_module_takes_the_name()
    {
        using var k = new Kernel();
        var first = Load(k, new VerbModule("first") { FsType = "minefs" });
        var stale = first.FileSystem!;
        Assert.True(stale.Mount(k.Init, "pool/a", "/a").Ok);
        Assert.True(k.Modules.Unload(k.Init.Cred, "first").Ok);
        var second = Load(k, new VerbModule("second") { FsType = "minefs" });
        Assert.True(second.FileSystem!.Mount(k.Init, "pool/b", "/b").Ok);

        Assert.Equal(Errno.ENODEV, stale.Mount(k.Init, "pool/c", "/c").Error);
        Assert.Equal(Errno.ENODEV, stale.Unmount(k.Init, "/b").Error);
        Assert.Empty(stale.Mounts);
        Assert.Empty(stale.List());
        Assert.False(stale.ForceUnmount(second.FileSystem.Mounts.Single()));
        Assert.Equal(["pool/b"], k.Vfs.Mounts.Select(m => m.Source));
    }

    [Fact]
    public void A_modules_service_is_deregistered_by_its_registrar_only()
    {
        using var k = new Kernel();
        var module = new ServiceModule();
        Assert.True(k.Modules.LoadInstance(module).Ok);
        var slot = module.Slot;

        var refused = Assert.Throws<InvalidOperationException>(slot.Deregister);
        Assert.Contains("belongs to module svc", refused.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(((IServiceSlot)slot).Deregister);
        Assert.True(slot.IsRegistered);
        Assert.NotNull(slot.Get(k.Prison0));

        Assert.True(k.Modules.Unload(k.Init.Cred, "svc").Ok);
        Assert.False(slot.IsRegistered);
        Assert.DoesNotContain(k.Services.Registered, s => s.Name == "svc");
    }

    private sealed class ServiceModule : KernelModule
    {
        public ServiceSlot<object> Slot { get; private set; } = null!;

        public override string Name => "svc";

        public override void Load(ModuleContext context) =>
            Slot = context.RegisterService(new JailServiceDefinition<object> { Name = "svc", Create = (_, _) => new object() });
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
