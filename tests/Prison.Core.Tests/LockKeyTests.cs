using Prison.Core.Jails;
using Prison.Core.Services;

namespace Prison.Core.Tests;

/// <summary>
/// docs/locking.md, "What a callback may do": the lock a service's <c>create</c> runs under, as the
/// lock key and <see cref="ServiceCreate{T}"/>'s remarks state it.
/// </summary>
public sealed class LockKeyTests
{
    private sealed record Seen(bool Shared, bool Exclusive, bool ListLock);

    [Fact]
    public void Create_runs_under_the_services_lock_exclusive_at_registration_and_shared_at_jail_creation()
    {
        using var k = new Kernel();
        k.Create("before");
        var seen = new List<(string Jail, Seen Locks)>();
        k.Services.Register(new JailServiceDefinition<object>
        {
            Name = "locks",
            Create = (jail, creation) =>
            {
                var l = k.Services.ServicesLock;
                seen.Add((creation is null ? "registration" : "creation",
                    new Seen(l.IsReadLockHeld, l.IsWriteLockHeld, k.Jails.IsListLockHeld)));
                return null;
            },
        });
        k.Create("after");

        Assert.All(seen.Where(s => s.Jail == "registration"), s => Assert.Equal(new Seen(false, true, false), s.Locks));
        Assert.Equal(new Seen(true, false, false), Assert.Single(seen, s => s.Jail == "creation").Locks);
        Assert.Equal(2, seen.Count(s => s.Jail == "registration")); // prison0 and "before"
    }
}
