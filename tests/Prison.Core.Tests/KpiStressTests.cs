using System.Collections.Concurrent;
using System.Globalization;
using Prison.Core.Jails;
using Prison.Core.Services;
using Xunit.Abstractions;

namespace Prison.Core.Tests;

/// <summary>
/// Several threads create and remove jails, register and deregister services, attach processes and read
/// slots at once. For every (registration, jail) pair the KPI's promises must hold: create at most once,
/// destroy iff created, nothing after destroy, never two callbacks at once, none under the list lock,
/// and every jail alive across a registration got its create.
/// Bounded by operation count; PRISON_STRESS_OPS raises the bound for a long run.
/// </summary>
public class KpiStressTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Kpi_promises_hold_under_concurrency(int seed)
    {
        var ops = int.TryParse(Environment.GetEnvironmentVariable("PRISON_STRESS_OPS"), CultureInfo.InvariantCulture, out var n) ? n : 400;
        var log = new PairLog();
        using var k = new Kernel();
        var registrations = new ConcurrentDictionary<IServiceSlot, byte>();
        var failures = new ConcurrentQueue<string>();
        var generation = 0;

        void Run(int thread, Action<Random> step)
        {
            var rng = new Random(seed * 1000 + thread);
            for (var i = 0; i < ops; i++)
            {
                try
                {
                    step(rng);
                }
                catch (Exception ex)
                {
                    failures.Enqueue($"thread {thread}: {ex}");
                    return;
                }
            }
        }

        var threads = new Action<Random>[]
        {
            rng => CreateOrRemove(k, rng),
            rng => CreateOrRemove(k, rng),
            rng =>
            {
                if (registrations.Count < 4 && rng.Next(2) == 0)
                {
                    var definition = log.Definition(k, $"svc{Interlocked.Increment(ref generation)}", failEvery: rng.Next(8) == 0 ? 5 : 0);
                    try
                    {
                        // A jail alive before the registration and still alive after it was alive across it:
                        // it must have got create (a missed create shows no callback at all, so the pair
                        // histories below cannot see it).
                        var before = k.Jails.List(k.Prison0).Append(k.Prison0).ToArray();
                        registrations.TryAdd(k.Services.Register(definition), 0);
                        foreach (var jail in before.Where(j => j.State == JailState.Alive))
                            log.ExpectCreate(definition.Name, jail);
                    }
                    catch (KernelErrorException ex) when (ex.Error == Errno.EDOOFUS)
                    {
                        // The injected create failure: registration must have unwound (checked below).
                    }
                }
                else if (registrations.Keys.ElementAtOrDefault(rng.Next(Math.Max(1, registrations.Count))) is { } victim)
                {
                    registrations.TryRemove(victim, out _);
                    victim.Deregister();
                }
            },
            rng =>
            {
                foreach (var slot in registrations.Keys.OfType<ServiceSlot<PairLog.Token>>())
                {
                    foreach (var jail in k.Jails.List(k.Prison0, includeDying: true))
                    {
                        if (slot.Get(jail) is { } token && !ReferenceEquals(token.Jail, jail))
                            throw new InvalidOperationException($"slot {slot.Name} of jail {jail.Id} holds another jail's value");
                    }
                }
            },
            rng =>
            {
                var jails = k.Jails.List(k.Prison0);
                if (jails.Count == 0)
                    return;
                var p = k.Processes.Fork(k.Init).Value;
                k.Syscalls.JailAttach(p, jails[rng.Next(jails.Count)].Id);
                k.Processes.Exit(p);
            },
        };

        var running = threads.Select((step, i) => new Thread(() => Run(i, step)) { IsBackground = true }).ToArray();
        foreach (var t in running)
            t.Start();
        foreach (var t in running)
            Assert.True(t.Join(TimeSpan.FromMinutes(2)), $"seed {seed}: a stress thread did not finish");

        // Tear everything down: every create must now have its destroy.
        foreach (var slot in registrations.Keys)
            slot.Deregister();
        foreach (var j in k.Jails.List(k.Prison0))
            k.Syscalls.JailRemove(k.Init, j.Id);

        var problems = failures.Concat(log.Violations()).ToList();
        output.WriteLine($"seed {seed}: {log.PairCount} (registration, jail) pairs, {log.EventCount} callbacks, {problems.Count} problems");
        Assert.True(problems.Count == 0, $"seed {seed}:\n" + string.Join('\n', problems.Take(20)));
        Assert.Equal(0, k.Services.SlotTableLength);
        Assert.Empty(k.Jails.List(k.Prison0, includeDying: true));
    }

    private static void CreateOrRemove(Kernel k, Random rng)
    {
        var jails = k.Jails.List(k.Prison0);
        if (jails.Count < 6 || rng.Next(2) == 0)
        {
            var parent = jails.Count > 0 && rng.Next(3) == 0 ? jails[rng.Next(jails.Count)] : null;
            var name = (parent is null ? "" : parent.Name + ".") + "j" + rng.Next(1_000_000).ToString(CultureInfo.InvariantCulture);
            // children.max must stay below the parent's (kern_jail_set), so it shrinks with depth.
            var childMax = parent is null ? 3 : Math.Max(parent.ChildrenMax - 1, 0);
            var p = new JailParams { ["name"] = name, ["persist"] = null, ["children.max"] = childMax.ToString(CultureInfo.InvariantCulture) };
            // Errors are expected here (children.max, a parent removed meanwhile, a failing service): the
            // invariants are what this test checks, not that every creation succeeds.
            _ = k.Syscalls.JailSet(k.Init, p, JailFlags.Create);
        }
        else
        {
            var victim = jails[rng.Next(jails.Count)];
            // A jail found by a lookup may be freed before we hold it: TryHold is the race-free way.
            if (rng.Next(4) == 0 && victim.TryHold(out var held))
            {
                using (held)
                    k.Syscalls.JailRemove(k.Init, victim.Id);
            }
            else
            {
                k.Syscalls.JailRemove(k.Init, victim.Id);
            }
        }
    }

    /// <summary>Per (registration, jail) event sequences, recorded by the callbacks themselves.</summary>
    private sealed class PairLog
    {
        private readonly ConcurrentDictionary<(string Service, Jail Jail), Pair> _pairs = new();
        private readonly ConcurrentQueue<string> _violations = new();
        private readonly ConcurrentQueue<(string Service, Jail Jail)> _expected = new();
        private int _events;

        public int PairCount => _pairs.Count;

        public int EventCount => _events;

        public JailServiceDefinition<Token> Definition(Kernel k, string name, int failEvery)
        {
            var creates = 0;
            return new JailServiceDefinition<Token>
            {
                Name = name,
                Create = (jail, _) =>
                {
                    var pair = Enter(k, name, jail, "create");
                    try
                    {
                        if (failEvery > 0 && Interlocked.Increment(ref creates) % failEvery == 0)
                        {
                            pair.Add("create-failed");
                            throw new InvalidOperationException("injected create failure");
                        }
                        pair.Add("create");
                        return new Token(jail);
                    }
                    finally
                    {
                        pair.Leave();
                    }
                },
                Destroy = (jail, token) =>
                {
                    var pair = Enter(k, name, jail, "destroy");
                    pair.Add("destroy");
                    pair.Leave();
                },
                Remove = (in JailMethodArgs<Token> a) =>
                {
                    var pair = Enter(k, name, a.Jail, "remove");
                    pair.Add("remove");
                    pair.Leave();
                    return Errno.OK;
                },
            };
        }

        /// <summary>Records that <paramref name="jail"/> was alive across the registration of <paramref name="service"/>.</summary>
        public void ExpectCreate(string service, Jail jail) => _expected.Enqueue((service, jail));

        public IEnumerable<string> Violations()
        {
            foreach (var v in _violations)
                yield return v;
            foreach (var (service, jail) in _expected)
            {
                if (!_pairs.TryGetValue((service, jail), out var pair) || pair.Events.Count == 0 || pair.Events[0] != "create")
                    yield return $"{service} x jail {jail.Id}: the jail was alive across the registration but got no create";
            }
            foreach (var ((service, jail), pair) in _pairs)
            {
                var seq = string.Join(",", pair.Events);
                // Allowed histories: nothing after a failed create; create [remove] destroy.
                var ok = seq is "create-failed" or "create,destroy" or "create,remove,destroy";
                if (!ok)
                    yield return $"{service} x jail {jail.Id}: {seq}";
            }
        }

        private Pair Enter(Kernel k, string service, Jail jail, string what)
        {
            Interlocked.Increment(ref _events);
            if (k.Jails.IsListLockHeld)
                _violations.Enqueue($"{service} {what} for jail {jail.Id} ran under the prison-list lock");
            var pair = _pairs.GetOrAdd((service, jail), _ => new Pair());
            if (Interlocked.Increment(ref pair.Inside) != 1)
                _violations.Enqueue($"{service} {what} for jail {jail.Id} ran concurrently with another callback");
            return pair;
        }

        internal sealed class Token(Jail jail)
        {
            public Jail Jail { get; } = jail;
        }

        private sealed class Pair
        {
            public int Inside;
            private readonly List<string> _events = [];

            public IReadOnlyList<string> Events
            {
                get
                {
                    lock (_events)
                        return _events.ToArray();
                }
            }

            public void Add(string e)
            {
                lock (_events)
                    _events.Add(e);
            }

            public void Leave() => Interlocked.Decrement(ref Inside);
        }
    }
}
