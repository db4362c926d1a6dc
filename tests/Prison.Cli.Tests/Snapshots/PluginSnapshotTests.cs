using Prison.Core.Procs;
using Prison.Testing;
using static Prison.Cli.Tests.Snapshots.SnapshotScenarios;

namespace Prison.Cli.Tests.Snapshots;

/// <summary>Each plugin's state after its scenario, and the kernel section, against approved files beside this test.</summary>
public class PluginSnapshotTests
{
    [Fact]
    public void Shm_two_postgres_jails_and_a_deferred_destroy()
    {
        using var k = Boot(null, "sysvshm");
        Shm(k);
        Snapshot.Verify(k, "sysvshm");
    }

    [Fact]
    public void Sem_set_values_and_an_undo_entry()
    {
        using var k = Boot(null, "sysvsem");
        Sem(k);
        Snapshot.Verify(k, "sysvsem");
    }

    [Fact]
    public void Msg_queue_with_typed_messages()
    {
        using var k = Boot(null, "sysvmsg");
        Msg(k);
        Snapshot.Verify(k, "sysvmsg");
    }

    [Fact]
    public void Zfs_jailed_dataset_tree_with_a_mount()
    {
        using var k = Boot(null, "zfs");
        Zfs(k);
        Snapshot.Verify(k, "zfs");
    }

    /// <summary>The KPI's slot table and the jails' parameters through load, jail creation and unload.</summary>
    [Fact]
    public void Kernel_section_through_load_jails_and_unload()
    {
        using var k = Boot(null, "sysvshm", "sysvsem", "sysvmsg");
        NewJail(k, "a", ("sysvshm", "new"), ("sysvsem", "inherit"), ("children.max", "1"));
        NewJail(k, "b", ("allow.sysvipc", "1"));
        NewJail(k, "a.child", ("sysvshm", "inherit"));
        Ok(k.Modules.Unload(Ucred.Root(k.Prison0), "sysvsem"), "kldunload sysvsem");
        Snapshot.Verify(k, "kernel");
    }

    /// <summary>Every section at once: all four modules after all four scenarios.</summary>
    [Fact]
    public void Whole_kernel_after_every_scenario()
    {
        using var k = Boot(null, "sysvshm", "sysvsem", "sysvmsg", "zfs");
        Shm(k);
        Sem(k);
        Msg(k);
        Zfs(k);
        Snapshot.Verify(k);
    }
}
