using Prison.Core.Modules;
using Prison.Core.Syscalls;
using Prison.Core.Sysctl;

namespace Prison.Core.Tests.Syscalls;

/// <summary>kldfind, kldnext, kldstat and kldunload as sys/kern/kern_linker.c answers them: copies, not the module.</summary>
public class KldSyscallTests
{
    private sealed class CounterModule : KernelModule
    {
        public override string Name => "counter";

        public override Version Version => new(1, 2);

        public override void Load(ModuleContext context) =>
            context.RegisterSysctl(new SysctlInt("debug.counter", "a test counter", _ => 7));
    }

    private sealed class UserModule : KernelModule
    {
        public override string Name => "user";

        public override IReadOnlyList<string> DependsOn => ["counter"];

        public override void Load(ModuleContext context)
        {
        }
    }

    [Fact]
    public void Kldnext_walks_the_kernel_then_the_modules_and_kldstat_copies_each()
    {
        using var k = new Kernel();
        var counter = k.Modules.LoadInstance(new CounterModule()).Value.Id;
        var user = k.Modules.LoadInstance(new UserModule()).Value.Id;

        var ids = new List<int>();
        for (var next = k.Syscalls.KldNext(k.Init, 0); next.Value != 0; next = k.Syscalls.KldNext(k.Init, next.Value))
            ids.Add(next.Value);
        Assert.Equal([SyscallInterface.KernelFileId, counter, user], ids);

        var kernel = k.Syscalls.KldStat(k.Init, SyscallInterface.KernelFileId).Value;
        Assert.Equal(("kernel", 3, (string?)null, ModuleState.Loaded), (kernel.Name, kernel.Refs, kernel.PathName, kernel.State));
        Assert.Empty(kernel.Registrations);

        var stat = k.Syscalls.KldStat(k.Init, counter).Value;
        Assert.Equal(("counter", new Version(1, 2), 2, ModuleState.Loaded), (stat.Name, stat.Version, stat.Refs, stat.State));
        Assert.Null(stat.PathName);
        Assert.Equal(k.Modules.Find("counter")!.Registrations, stat.Registrations);
        Assert.NotEmpty(stat.Registrations);
        Assert.Equal(["counter"], k.Syscalls.KldStat(k.Init, user).Value.DependsOn);
    }

    [Fact]
    public void A_kldstat_record_does_not_change_when_the_module_does()
    {
        using var k = new Kernel();
        var id = k.Modules.LoadInstance(new CounterModule()).Value.Id;
        var before = k.Syscalls.KldStat(k.Init, id).Value;

        Assert.True(k.Syscalls.KldUnload(k.Init, id).Ok);

        Assert.Equal(ModuleState.Loaded, before.State);
        Assert.NotEmpty(before.Registrations);
        Assert.Equal(Errno.ENOENT, k.Syscalls.KldFind(k.Init, "counter").Error);
    }

    [Fact]
    public void Kldstat_kldnext_and_kldfind_answer_a_jail_too()
    {
        using var k = new Kernel();
        var id = k.Modules.LoadInstance(new CounterModule()).Value.Id;
        var jailedRoot = k.RootIn(k.Create("pg"));

        Assert.Equal(id, k.Syscalls.KldFind(jailedRoot, "counter").Value);
        Assert.Equal(SyscallInterface.KernelFileId, k.Syscalls.KldFind(jailedRoot, "kernel").Value);
        Assert.Equal("counter", k.Syscalls.KldStat(jailedRoot, id).Value.Name);
        Assert.Equal(0, k.Syscalls.KldNext(jailedRoot, id).Value);
    }

    [Fact]
    public void Unknown_ids_are_ENOENT()
    {
        using var k = new Kernel();
        Assert.Equal(Errno.ENOENT, k.Syscalls.KldStat(k.Init, 42).Error);
        Assert.Equal(Errno.ENOENT, k.Syscalls.KldNext(k.Init, 42).Error);
        Assert.Equal(Errno.ENOENT, k.Syscalls.KldFind(k.Init, "nothing").Error);
        Assert.Equal(Errno.ENOENT, k.Syscalls.KldUnload(k.Init, 42).Error);
        Assert.Equal(0, k.Syscalls.KldNext(k.Init, SyscallInterface.KernelFileId).Value);
    }

    [Fact]
    public void Kldunload_checks_the_privilege_before_it_looks_the_file_up_and_refuses_the_kernel()
    {
        using var k = new Kernel();
        var id = k.Modules.LoadInstance(new CounterModule()).Value.Id;
        var jailedRoot = k.RootIn(k.Create("pg"));

        Assert.Equal(Errno.EPERM, k.Syscalls.KldUnload(jailedRoot, 42).Error);
        Assert.Equal(Errno.EPERM, k.Syscalls.KldUnload(jailedRoot, id).Error);
        Assert.Equal(Errno.EPERM, k.Syscalls.KldLoad(jailedRoot, "counter").Error);
        Assert.Equal(ModuleState.Loaded, k.Syscalls.KldStat(k.Init, id).Value.State);
        Assert.Equal(Errno.EINVAL, k.Syscalls.KldUnload(k.Init, SyscallInterface.KernelFileId).Error);
    }

    [Fact]
    public void Kldunload_of_a_module_another_needs_is_EBUSY()
    {
        using var k = new Kernel();
        var counter = k.Modules.LoadInstance(new CounterModule()).Value.Id;
        k.Modules.LoadInstance(new UserModule());

        Assert.Equal(Errno.EBUSY, k.Syscalls.KldUnload(k.Init, counter).Error);
        Assert.Equal(ModuleState.Loaded, k.Syscalls.KldStat(k.Init, counter).Value.State);
    }
}
