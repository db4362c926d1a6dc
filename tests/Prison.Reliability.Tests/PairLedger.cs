using System.Collections.Concurrent;
using Prison.Core;
using Prison.Core.Jails;
using Prison.Core.Services;

namespace Prison.Reliability.Tests;

/// <summary>
/// A jail service of the test's own that records its create/destroy callbacks, to check the KPI's
/// exactly-once promise for every (service, jail) pair: create at most once, destroy at most once and
/// only after a create, no method after destroy, never two callbacks for the pair at once.
/// </summary>
/// <param name="name">The service name.</param>
/// <param name="methodDelay">How long attach and remove linger before checking (widens race windows).</param>
internal sealed class PairLedger(string name, TimeSpan methodDelay = default)
{
    private readonly ConcurrentDictionary<Jail, PairState> _pairs = new(ReferenceEqualityComparer.Instance);
    private readonly ConcurrentQueue<string> _violations = new();

    public string Name { get; } = name;

    public IReadOnlyCollection<string> Violations => _violations;

    public JailServiceDefinition<Token> Definition() => new()
    {
        Name = Name,
        Create = (jail, _) =>
        {
            var state = _pairs.GetOrAdd(jail, _ => new PairState());
            Enter(state, jail, "create");
            if (Interlocked.Increment(ref state.Creates) != 1)
                Violate(jail, "create ran twice");
            if (Volatile.Read(ref state.Destroys) != 0)
                Violate(jail, "create after destroy");
            Leave(state);
            return new Token(jail);
        },
        Destroy = (jail, token) =>
        {
            var state = _pairs.GetOrAdd(jail, _ => new PairState());
            Enter(state, jail, "destroy");
            if (Volatile.Read(ref state.Creates) != 1)
                Violate(jail, "destroy without a create");
            if (Interlocked.Increment(ref state.Destroys) != 1)
                Violate(jail, "destroy ran twice");
            if (token is not null && !ReferenceEquals(token.Jail, jail))
                Violate(jail, "destroy got another jail's slot value");
            Leave(state);
        },
        Attach = (in JailMethodArgs<Token> a) => AfterDestroyCheck(a.Jail, "attach"),
        Remove = (in JailMethodArgs<Token> a) => AfterDestroyCheck(a.Jail, "remove"),
    };

    /// <summary>Pairs whose create succeeded and whose destroy has not run (yet).</summary>
    public IReadOnlyList<Jail> Undestroyed() =>
        _pairs.Where(p => p.Value.Creates == 1 && p.Value.Destroys == 0).Select(p => p.Key).ToArray();

    public int Created => _pairs.Values.Count(p => p.Creates > 0);

    private Errno AfterDestroyCheck(Jail jail, string method)
    {
        if (methodDelay > TimeSpan.Zero)
            Thread.Sleep(methodDelay);
        if (_pairs.TryGetValue(jail, out var s) && Volatile.Read(ref s.Destroys) != 0)
            Violate(jail, $"{method} after destroy");
        return Errno.OK;
    }

    private void Enter(PairState state, Jail jail, string what)
    {
        if (Interlocked.Increment(ref state.Inside) != 1)
            Violate(jail, $"{what} ran while another callback for the same pair was running");
    }

    private static void Leave(PairState state) => Interlocked.Decrement(ref state.Inside);

    private void Violate(Jail jail, string what) => _violations.Enqueue($"{Name}, jail {jail.Id}: {what}");

    internal sealed class Token(Jail jail)
    {
        public Jail Jail { get; } = jail;
    }

    private sealed class PairState
    {
        public int Creates;
        public int Destroys;
        public int Inside;
    }
}
