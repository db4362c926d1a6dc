using System.Reflection;
using System.Runtime.CompilerServices;
using Prison.Core.Jails;
using Prison.Core.Services;

namespace Prison.Core.Tests;

/// <summary>
/// <see cref="JailReference"/>, the only public way to hold a jail: it is taken with the refuse-if-freeing
/// primitive and gives back exactly one reference, however often it is disposed.
/// </summary>
public class JailReferenceTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public void A_handle_takes_one_reference_and_gives_it_back_exactly_once()
    {
        using var k = new Kernel();
        var j = k.Create("a");
        var before = j.References;

        Assert.True(j.TryHold(out var reference));
        Assert.Same(j, reference.Jail);
        Assert.False(reference.IsReleased);
        Assert.Equal(before + 1, j.References);

        reference.Dispose();
        Assert.True(reference.IsReleased);
        Assert.Equal(before, j.References);
        reference.Dispose(); // refused: the reference was already given back
        reference.Dispose();
        Assert.Equal(before, j.References);
        Assert.Equal(JailState.Alive, j.State);
    }

    [Fact]
    public void Concurrent_disposes_of_one_handle_give_back_one_reference()
    {
        using var k = new Kernel();
        var j = k.Create("a");
        var before = j.References;
        for (var round = 0; round < 200; round++)
        {
            Assert.True(j.TryHold(out var reference));
            using var start = new Barrier(4);
            var threads = Enumerable.Range(0, 4).Select(_ => new Thread(() =>
            {
                start.SignalAndWait();
                reference.Dispose();
            })).ToArray();
            foreach (var t in threads)
                t.Start();
            foreach (var t in threads)
                Assert.True(t.Join(Patience), "a dispose never returned");
            Assert.True(reference.IsReleased);
            Assert.Equal(before, j.References);
        }
    }

    [Fact]
    public void Disposing_the_last_handle_frees_a_removed_jail_once_and_a_second_dispose_changes_nothing()
    {
        using var k = new Kernel();
        var rec = new ServiceRecorder(k, "svc");
        k.Services.Register(rec.Definition());
        var prison0Refs = k.Prison0.References;
        var j = k.Create("a");
        Assert.True(j.TryHold(out var reference));
        Assert.Equal(Errno.OK, k.Syscalls.JailRemove(k.Init, j.Id));
        Assert.Equal(JailState.Dying, j.State);
        Assert.Equal(0, rec.Count("destroy", j.Id));

        reference.Dispose();
        Assert.Equal(JailState.Dead, j.State);
        Assert.Equal(1, rec.Count("destroy", j.Id));

        // Without the handle's guard this second release would free the jail again and release its
        // parent twice (prison0's references and children.cur would go wrong).
        reference.Dispose();
        Assert.Equal(1, rec.Count("destroy", j.Id));
        Assert.Equal(0, j.References);
        Assert.Equal(JailState.Alive, k.Prison0.State);
        Assert.Equal(0, k.Prison0.ChildrenCur);
        Assert.Equal(prison0Refs, k.Prison0.References);
    }

    [Fact]
    public async Task The_public_API_cannot_raise_the_references_of_a_jail_being_freed_or_dead()
    {
        using var k = new Kernel();
        using var inDestroy = new ManualResetEventSlim();
        using var finish = new ManualResetEventSlim();
        k.Services.Register(new JailServiceDefinition<object>
        {
            Name = "blocker",
            Create = (_, _) => new object(),
            Destroy = (jail, _) =>
            {
                if (jail.Name != "victim")
                    return;
                inDestroy.Set();
                finish.Wait(Patience);
            },
        });
        var prison0Refs = k.Prison0.References;
        var victim = k.Create("victim");
        var remover = Task.Run(() => k.Syscalls.JailRemove(k.Init, victim.Id));
        Assert.True(inDestroy.Wait(Patience), "destroy never ran");

        // Inside Free: the last reference is gone and the services' destroy callbacks run.
        var heldWhileFreeing = victim.TryHold(out var whileFreeing);
        var refsWhileFreeing = victim.References;
        finish.Set();
        Assert.Equal(Errno.OK, await remover.WaitAsync(Patience));
        whileFreeing?.Dispose(); // on a broken TryHold, the second free

        Assert.False(heldWhileFreeing);
        Assert.Null(whileFreeing);
        Assert.Equal(0, refsWhileFreeing);
        Assert.Equal(JailState.Dead, victim.State);
        Assert.False(victim.TryHold(out var afterDeath));
        Assert.Null(afterDeath);
        Assert.Equal(0, victim.References);
        Assert.Equal(0, k.Prison0.ChildrenCur);
        Assert.Equal(prison0Refs, k.Prison0.References);
    }

    /// <summary>
    /// What a module can reach: the public surface of Prison.Core (no module assembly sees its internals).
    /// On a jail the only member that takes a reference is <c>TryHold(out JailReference)</c>, and only
    /// <see cref="JailReference.Dispose"/> gives one back; nobody outside the kernel can make a handle.
    /// </summary>
    [Fact]
    public void The_raw_reference_count_is_not_public_and_handles_are_made_by_the_kernel_only()
    {
        const BindingFlags everyInstance = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static;
        static bool Visible(MethodBase m) => m.IsPublic || m.IsFamily || m.IsFamilyOrAssembly;

        var jailMethods = typeof(Jail).GetMethods(everyInstance).Where(Visible).Select(m => m.Name).ToHashSet();
        Assert.Contains("TryHold", jailMethods);
        Assert.DoesNotContain("Hold", jailMethods);
        Assert.DoesNotContain("Release", jailMethods);
        Assert.DoesNotContain("TryAddReference", jailMethods);
        Assert.DoesNotContain("InitReferences", jailMethods);
        var tryHold = Assert.Single(typeof(Jail).GetMethods(everyInstance), m => Visible(m) && m.Name == "TryHold");
        var parameter = Assert.Single(tryHold.GetParameters());
        Assert.True(parameter.IsOut);
        Assert.Equal(typeof(JailReference), parameter.ParameterType.GetElementType());

        Assert.True(typeof(JailReference).IsSealed);
        Assert.DoesNotContain(typeof(JailReference).GetConstructors(everyInstance), Visible);
        var referenceMethods = typeof(JailReference).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(m => !m.IsSpecialName).Select(m => m.Name).Order(StringComparer.Ordinal);
        Assert.Equal(["Dispose", "ToString"], referenceMethods);

        // No other public type of the kernel hands out a raw hold or release on a jail.
        var rawNames = new[] { "Hold", "TryAddReference", "AddReference", "DropReference" };
        var leaks = typeof(Jail).Assembly.GetExportedTypes()
            .SelectMany(t => t.GetMethods(everyInstance | BindingFlags.DeclaredOnly).Where(Visible).Select(m => (t, m)))
            .Where(x => rawNames.Contains(x.m.Name) || (x.m.Name == "Release" && x.m.GetParameters() is [var only] && only.ParameterType == typeof(Jail)))
            .Select(x => $"{x.t.FullName}.{x.m.Name}")
            .ToList();
        Assert.Empty(leaks);

        // Internals (the raw count) are visible to test and benchmark assemblies only, never to a module.
        var friends = typeof(Jail).Assembly.GetCustomAttributes<InternalsVisibleToAttribute>().Select(a => a.AssemblyName);
        Assert.All(friends, name => Assert.True(
            name.EndsWith(".Tests", StringComparison.Ordinal) || name == "Prison.Benchmarks",
            $"{name} sees Prison.Core's internals"));
    }
}
