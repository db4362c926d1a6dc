using Prison.Core;
using Prison.Core.Jails;
using Prison.Core.Modules;
using Prison.Core.Services;

namespace Prison.Reliability.Tests;

/// <summary>Where the faulty service throws.</summary>
public enum FaultPoint
{
    CreateAtRegistration,
    CreateAtJailCreation,
    Check,
    Set,
    Get,
    Attach,
    Remove,
    Destroy,
}

/// <summary>
/// A module whose one service (<c>faulty</c>, owning the jail parameter <c>faulty.level</c>) throws from
/// one callback or method, for one jail (by name): the fault-injection tests load it with
/// <see cref="ModuleManager.LoadInstance"/> and check the kernel stays consistent.
/// </summary>
public sealed class FaultyModule(FaultPoint point, string targetJail) : KernelModule
{
    public const string ServiceName = "faulty";
    public const string Parameter = "faulty.level";

    public override string Name => "faulty_mod";

    /// <summary>Records the service's own pairs too: its destroy must still run once per create.</summary>
    internal PairLedger Ledger { get; } = new(ServiceName);

    public override void Load(ModuleContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var recorded = Ledger.Definition();
        context.RegisterService(new JailServiceDefinition<PairLedger.Token>
        {
            Name = ServiceName,
            Parameters = [new JailParameterDefinition(Parameter, JailParamType.String, "a parameter the faulty service owns")],
            Create = (jail, p) =>
            {
                if (jail.Name == targetJail && point == (p is null ? FaultPoint.CreateAtRegistration : FaultPoint.CreateAtJailCreation))
                    throw new InvalidOperationException($"injected fault in create for {jail.Name}");
                return recorded.Create!(jail, p);
            },
            Destroy = (jail, token) =>
            {
                recorded.Destroy!(jail, token);
                if (jail.Name == targetJail && point == FaultPoint.Destroy)
                    throw new InvalidOperationException($"injected fault in destroy for {jail.Name}");
            },
            Check = (in JailMethodArgs<PairLedger.Token> a) => Throw(a.Jail, FaultPoint.Check),
            Set = (in JailMethodArgs<PairLedger.Token> a) => Throw(a.Jail, FaultPoint.Set),
            Get = (in JailMethodArgs<PairLedger.Token> a) =>
            {
                Throw(a.Jail, FaultPoint.Get);
                if (a.Params.Contains(Parameter))
                    a.Params[Parameter] = "1";
                return Errno.OK;
            },
            Attach = (in JailMethodArgs<PairLedger.Token> a) => Throw(a.Jail, FaultPoint.Attach),
            Remove = (in JailMethodArgs<PairLedger.Token> a) => Throw(a.Jail, FaultPoint.Remove),
        });
    }

    private Errno Throw(Jail jail, FaultPoint at)
    {
        if (point == at && jail.Name == targetJail)
            throw new InvalidOperationException($"injected fault in {at} for {jail.Name}");
        return Errno.OK;
    }
}
