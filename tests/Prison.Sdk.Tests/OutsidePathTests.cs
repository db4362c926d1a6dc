using System.Diagnostics;
using System.Globalization;
using Xunit.Abstractions;

namespace Prison.Sdk.Tests;

/// <summary>
/// The outside path, end to end, as a plugin author and a host app see it: the packages are packed to
/// a local folder, the template makes a plugin and its tests in a folder outside the repository, they
/// build against the packed Prison.Core and pass, the prison tool kldloads the plugin by path and reads
/// its sysctl per jail, and a minimal generic-host app hosts it with AddPrisonKernel.
/// </summary>
/// <remarks>
/// Nothing leaves the temporary folder: the packages restore into a private packages folder (the
/// user's global packages folder is only a read-only fallback for the third-party packages this
/// repository's own restore brought), the template is installed into a private template hive, and the
/// tool into a private tool path. Skipped, visibly, when the dotnet CLI cannot run. Takes about one
/// minute on two cores (most of it building and testing the generated projects).
/// </remarks>
public class OutsidePathTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Long = TimeSpan.FromMinutes(8);
    private static readonly TimeSpan Short = TimeSpan.FromMinutes(3);

    [SkippableFact]
    public void A_plugin_made_from_the_template_outside_the_repository_builds_tests_loads_and_hosts()
    {
        var unavailable = DotnetCli.Unavailable();
        Skip.If(unavailable is not null, unavailable);

        var total = Stopwatch.StartNew();
        var work = Directory.CreateTempSubdirectory("prison-outside-").FullName;
        try
        {
            Run(work);
        }
        finally
        {
            output.WriteLine($"outside path: {total.Elapsed.TotalSeconds:0} s");
            try
            {
                Directory.Delete(work, recursive: true);
            }
            catch (IOException ex)
            {
                output.WriteLine($"could not remove {work}: {ex.Message}");
            }
        }
    }

    private void Run(string work)
    {
        var version = "0.1.0-outside." + DateTime.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);
        var feed = Directory.CreateDirectory(Path.Combine(work, "feed")).FullName;
        var packages = Directory.CreateDirectory(Path.Combine(work, "packages")).FullName;
        var userPackages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } np
            ? np
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        // Applies to everything under work/: the private feed first, the user's sources still there for
        // anything the fallback folder lacks, and a private global packages folder.
        File.WriteAllText(Path.Combine(work, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <config>
                <add key="globalPackagesFolder" value="{packages}" />
              </config>
              <packageSources>
                <add key="prison-outside-test" value="{feed}" />
              </packageSources>
              <fallbackPackageFolders>
                <add key="user" value="{userPackages}" />
              </fallbackPackageFolders>
            </configuration>
            """);
        var env = new Dictionary<string, string>
        {
            ["NUGET_PACKAGES"] = packages,
            // No build servers or node processes may outlive the test.
            ["MSBUILDDISABLENODEREUSE"] = "1",
            ["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0",
            ["UseSharedCompilation"] = "false",
            // The tool's apphost finds the runtime this test runs on.
            ["DOTNET_ROOT"] = Path.GetFullPath(Path.Combine(System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", "..")),
        };
        var cli = new DotnetCli(work, env, output.WriteLine);

        // 1. Pack to the local feed. `dotnet test Prison.sln` has just built every packed project (this
        //    test project references them, so they are built before it runs), so the pack reuses that
        //    build (Debug, --no-build) instead of a Release build of its own: same packages, minutes less.
        //    The README's command, `dotnet pack Prison.Packages.slnf -c Release`, builds first.
        // The repository's own packages folder, as its restore left it: only the output goes elsewhere.
        var repoCli = new DotnetCli(Repo.Root, env.Where(e => e.Key != "NUGET_PACKAGES").ToDictionary(), output.WriteLine);
        repoCli.Dotnet(Long, "pack", Repo.File("Prison.Packages.slnf"), "--no-build", "-c", Configuration, "-o", feed,
            $"-p:Version={version}");
        foreach (var id in new[] { "Prison.Core", "Prison.Testing", "Prison.Hosting", "Prison.Templates", "prison" })
            Assert.True(File.Exists(Path.Combine(feed, $"{id}.{version}.nupkg")), $"{id} was not packed");

        // 2. Install the template (private hive) and make a plugin called hits.
        var hive = Path.Combine(work, "template-hive");
        cli.Dotnet(Short, "new", "install", Path.Combine(feed, $"Prison.Templates.{version}.nupkg"), "--debug:custom-hive", hive);
        cli.Dotnet(Short, "new", "prison-module", "-n", "hits", "--debug:custom-hive", hive);
        var hits = Path.Combine(work, "hits");
        Assert.Contains(version, File.ReadAllText(Path.Combine(hits, "hits", "hits.csproj")), StringComparison.Ordinal);

        // 3. Build against the packed Prison.Core and run the generated tests.
        var testOutput = cli.Dotnet(Long, "test", Path.Combine(hits, "hits.Tests"));
        Assert.Contains("Passed!", testOutput, StringComparison.Ordinal);
        var pluginDir = Path.Combine(hits, "hits", "bin", "Debug", "net10.0");
        var plugin = Path.Combine(pluginDir, "hits.dll");
        Assert.True(File.Exists(plugin));
        Assert.False(File.Exists(Path.Combine(pluginDir, "Prison.Core.dll")), "the plugin's output carries a copy of Prison.Core");
        Assert.True(File.Exists(Path.Combine(packages, "prison.core", version, $"prison.core.{version}.nupkg")),
            "Prison.Core was not restored into the private packages folder");

        // 4. The prison tool: kldload by path, jails, the sysctl per jail, kldunload (collection verified).
        var toolPath = Path.Combine(work, "tool");
        cli.Dotnet(Short, "tool", "install", "prison", "--version", version, "--tool-path", toolPath, "--add-source", feed);
        var script = Path.Combine(work, "hits.prison");
        File.WriteAllLines(script,
        [
            "kldload sysvshm",
            "kldstat -n sysvshm",
            $"kldload {plugin}",
            "kldstat -n hits",
            "jail -c name=web persist",
            "jail -c name=db persist",
            "jexec web sysctl hits.hits=1",
            "jexec web sysctl hits.hits=1",
            "jexec db sysctl hits.hits=1",
            "jexec web sysctl -n hits.hits",
            "jexec db sysctl -n hits.hits",
            "sysctl -n hits.hits",
            "kldunload hits",
            "kldstat",
        ]);
        var shell = cli.Run(Path.Combine(toolPath, "prison"), ["run", script], Short);
        output.WriteLine(shell);
        var lines = shell.Split('\n', StringSplitOptions.TrimEntries);
        // web counted 2, db its own 1, the host (prison0) none.
        Assert.Contains("hits.hits: 1 -> 2", lines);
        Assert.Equal(["2", "1", "0"], lines.Where(l => l.Length > 0 && l.All(char.IsAsciiDigit)).ToArray());
        Assert.Contains(lines, l => l.Contains(" hits ", StringComparison.Ordinal) && l.Contains("loaded", StringComparison.Ordinal));
        // The tool ships the modules in its own plugins/ folder, where kldload finds them by name.
        Assert.Contains(lines, l => l.Contains(" sysvshm ", StringComparison.Ordinal) && l.EndsWith("plugins/sysvshm/sysvshm.dll", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("Unloading hits", StringComparison.Ordinal) || l.Contains("kldunload hits", StringComparison.Ordinal));
        // After kldunload, kldstat lists no hits row: an uncollected context would stay listed as leaked.
        var afterUnload = shell[shell.LastIndexOf("kldstat", StringComparison.Ordinal)..];
        Assert.DoesNotContain("hits", afterUnload.Split('\n').Skip(1).Aggregate("", (a, b) => a + b), StringComparison.Ordinal);

        // 5. A minimal generic-host app with AddPrisonKernel.
        var host = Directory.CreateDirectory(Path.Combine(work, "host")).FullName;
        File.WriteAllText(Path.Combine(host, "host.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Prison.Hosting" Version="{version}" />
                <PackageReference Include="Microsoft.Extensions.Hosting" Version="{Repo.PackageVersion("Microsoft.Extensions.Hosting")}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(host, "Program.cs"), HostProgram);
        var hosted = cli.Dotnet(Short, "run", "--project", host, "--", plugin);
        output.WriteLine(hosted);
        Assert.Contains("web: 1 (OK)", hosted, StringComparison.Ordinal);
        Assert.Contains("db: 1 (OK)", hosted, StringComparison.Ordinal);
        Assert.Contains("web: 2 (OK)", hosted, StringComparison.Ordinal);
        Assert.Contains("modules after stop: 0", hosted, StringComparison.Ordinal);
    }

    /// <summary>The host app: the module path comes from configuration (the command line), the rest from code.</summary>
    private const string HostProgram = """
        using Microsoft.Extensions.DependencyInjection;
        using Microsoft.Extensions.Hosting;
        using Prison.Core;
        using Prison.Core.Jails;
        using Prison.Core.Syscalls;
        using Prison.Hosting;

        var builder = Host.CreateApplicationBuilder(["--Prison:Modules:0", args[0]]);
        builder.Services.AddPrisonKernel(options => options.Tunables["hits.example"] = "1");
        using var host = builder.Build();
        await host.StartAsync();

        var kernel = host.Services.GetRequiredService<Kernel>();
        var sys = kernel.Syscalls;
        var jids = new Dictionary<string, int>();
        foreach (var name in new[] { "web", "db", "web" })
        {
            if (!jids.TryGetValue(name, out var jid))
                jids[name] = jid = sys.JailSet(kernel.Init, new JailParams { ["name"] = name, ["persist"] = null }, JailFlags.Create).Value;
            // jexec(8): init forks, the child attaches to the jail and runs as its root.
            var root = sys.Fork(kernel.Init, "sh").Value;
            sys.JailAttach(root, jid);
            var added = sys.SysctlWrite(root, "hits.hits", "1");
            Console.WriteLine($"{name}: {sys.Sysctl(root, "hits.hits").Value} ({added})");
            sys.Exit(root);
        }
        await host.StopAsync();
        var modules = 0;
        for (var id = sys.KldNext(kernel.Init, SyscallInterface.KernelFileId).Value; id != 0; id = sys.KldNext(kernel.Init, id).Value)
            modules++;
        Console.WriteLine($"modules after stop: {modules}");
        """;

    private static string Configuration => typeof(OutsidePathTests).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyConfigurationAttribute), false)
        .Cast<System.Reflection.AssemblyConfigurationAttribute>().Single().Configuration;
}
