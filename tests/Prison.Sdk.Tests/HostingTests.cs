using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Prison.Core;
using Prison.Core.Modules;
using Prison.Hosting;

namespace Prison.Sdk.Tests;

/// <summary>AddPrisonKernel: options from configuration, the host's logging, modules loaded at start and unloaded in reverse at stop.</summary>
public sealed class HostingTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("prison-hosting-").FullName;
    private readonly CapturingLogger _log = new();

    public HostingTests()
    {
        // "base" and "needsbase" (which depends on base): unloading them in load order would fail with EBUSY.
        Plugin("base", "");
        Plugin("needsbase", """public override IReadOnlyList<string> DependsOn => ["base"];""");
    }

    [Fact]
    public async Task Modules_from_configuration_load_at_start_and_unload_in_reverse_at_stop()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Prison:ModulePath"] = _dir,
            ["Prison:Modules:0"] = "base",
            ["Prison:Modules:1"] = "needsbase",
            ["Prison:Tunables:hosting.limit"] = "7",
        });
        builder.Logging.ClearProviders().AddProvider(_log).SetMinimumLevel(LogLevel.Trace);
        builder.Services.AddPrisonKernel(o => o.Tunables["hosting.extra"] = "yes");
        using var host = builder.Build();
        var kernel = host.Services.GetRequiredService<Kernel>();

        await host.StartAsync();

        Assert.Equal(["base", "needsbase"], kernel.Modules.List().Select(m => m.Name).ToArray());
        // The tunables were in kenv when the modules loaded (each module's Load read them).
        Assert.Equal(7L, kernel.Sysctl.Read(kernel.Init.Cred, "debug.base.limit").Value);
        Assert.Equal("yes", kernel.Kenv.Get("hosting.extra"));
        // One log category per module, through the host's logger factory.
        Assert.Contains(_log.Lines, l => l.Category == "Prison.Module.needsbase" && l.Message == "needsbase loaded");

        await host.StopAsync();

        Assert.Empty(kernel.Modules.List());
        var unloads = _log.Lines.Where(l => l.Message.StartsWith("module ", StringComparison.Ordinal) && l.Message.EndsWith("unloaded at stop", StringComparison.Ordinal))
            .Select(l => l.Message).ToArray();
        Assert.Equal(["module needsbase unloaded at stop", "module base unloaded at stop"], unloads);
    }

    [Fact]
    public async Task A_module_that_fails_to_load_stops_the_start_and_unloads_the_ones_before_it()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders().AddProvider(_log);
        builder.Services.AddPrisonKernel(o =>
        {
            o.ModulePath = _dir;
            o.Modules.Add("base");
            o.Modules.Add("missing");
        });
        using var host = builder.Build();

        var ex = await Assert.ThrowsAsync<KernelErrorException>(() => host.StartAsync());

        Assert.Equal(Errno.ENOENT, ex.Error);
        Assert.Empty(host.Services.GetRequiredService<Kernel>().Modules.List());
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private void Plugin(string name, string members)
    {
        Directory.CreateDirectory(Path.Combine(_dir, name));
        File.WriteAllBytes(Path.Combine(_dir, name, name + ".dll"), PluginCompiler.Compile(name, $$"""
            using Microsoft.Extensions.Logging;
            using Prison.Core.Modules;
            using Prison.Core.Sysctl;

            public sealed class M : KernelModule
            {
                public override string Name => "{{name}}";
                {{members}}
                public override void Load(ModuleContext context)
                {
                    var limit = long.Parse(context.Tunables.Get("hosting.limit") ?? "0");
                    context.RegisterSysctl(new SysctlInt("debug.{{name}}.limit", "hosting.limit at load", _ => limit, access: SysctlAccess.ReadOnly));
                    context.Logger.LogInformation("{{name}} loaded");
                }
            }
            """));
    }
}
