using Xunit.Abstractions;

namespace Prison.Reliability.Tests;

/// <summary>
/// The whole kernel under concurrent attack (FreeBSD's jail_thread / jaildesc race tests in spirit).
/// Seeded and bounded; <c>PRISON_STRESS_LONG=1</c> runs longer and with more seeds,
/// <c>PRISON_STRESS_SEED=N</c> replays a seed.
/// </summary>
[Collection(StressCollection.Name)]
public class WholeSystemStressTests(ITestOutputHelper output)
{
    [Fact]
    public void Jails_processes_modules_ipc_and_zfs_at_once_keep_every_invariant()
    {
        var budget = StressBudget.Current;
        var failures = new List<string>();
        for (var i = 0; i < budget.Seeds; i++)
        {
            var seed = StressBudget.FirstSeed + i;
            using var stress = new WholeSystemStress(seed, budget);
            var found = stress.Run();
            output.WriteLine(stress.Summary());
            failures.AddRange(found.Take(20));
        }
        Assert.True(failures.Count == 0, "whole-system stress failed (replay with PRISON_STRESS_SEED):\n" + string.Join("\n", failures));
    }
}

/// <summary>Stress and module-churn tests run alone: they measure collection of load contexts.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class StressCollection
{
    public const string Name = "stress";
}
