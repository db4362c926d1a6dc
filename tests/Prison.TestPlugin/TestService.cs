using System.Globalization;
using Microsoft.Extensions.Logging;
using Prison.Core;
using Prison.Core.Jails;
using Prison.Core.Modules;
using Prison.Core.Services;

namespace Prison.TestPlugin;

/// <summary>The per-jail state of testsvc.</summary>
internal sealed class TestJailState
{
    public int Level { get; set; }
}

/// <summary>
/// The jail service <c>testsvc</c>. Every create and destroy is logged with the event names
/// <c>create</c> and <c>destroy</c> and the jid, so a test can count them after the module is gone.
/// </summary>
internal static class TestService
{
    public const string Parameter = "testsvc.level";

    private static readonly EventId CreateEvent = new(1, "create");
    private static readonly EventId DestroyEvent = new(2, "destroy");

    public static JailServiceDefinition<TestJailState> Definition(TunableReader tunables, ILogger log, TestCounters counters) => new()
    {
        Name = "testsvc",
        Parameters = [new JailParameter(Parameter, JailParamType.Int, "level of the test service")],
        Create = (jail, _) =>
        {
            var ordinal = counters.CountCreate();
            if (FailingCreate(tunables) == ordinal)
                throw new KernelErrorException(Errno.EINVAL, $"testplugin.fail=create:{ordinal}: failing create for jail {jail.Id}");
            log.LogInformation(CreateEvent, "testsvc create for jail {Jid}", jail.Id);
            return new TestJailState();
        },
        Destroy = (jail, _) =>
        {
            counters.CountDestroy();
            log.LogInformation(DestroyEvent, "testsvc destroy for jail {Jid}", jail.Id);
        },
        Check = static (in JailMethodArgs<TestJailState> a) =>
        {
            if (a.Params[Parameter] is { } v && int.Parse(v, CultureInfo.InvariantCulture) < 0)
            {
                a.ErrorMessage = $"{Parameter} must not be negative";
                return Errno.EINVAL;
            }
            return Errno.OK;
        },
        Set = static (in JailMethodArgs<TestJailState> a) =>
        {
            if (a.Params[Parameter] is { } v && a.Data is { } data)
                data.Level = int.Parse(v, CultureInfo.InvariantCulture);
            return Errno.OK;
        },
        Get = static (in JailMethodArgs<TestJailState> a) =>
        {
            if (a.Params.Contains(Parameter))
                a.Params[Parameter] = (a.Data?.Level ?? 0).ToString(CultureInfo.InvariantCulture);
            return Errno.OK;
        },
    };

    /// <summary>K from <c>testplugin.fail=create:K</c>, or 0.</summary>
    private static int FailingCreate(TunableReader tunables) =>
        tunables.Get(TestModule.FailVariable) is { } f && f.StartsWith("create:", StringComparison.Ordinal)
            && int.TryParse(f.AsSpan(7), NumberStyles.None, CultureInfo.InvariantCulture, out var k) ? k : 0;
}
