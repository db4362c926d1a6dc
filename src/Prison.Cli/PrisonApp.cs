using System.CommandLine;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Prison.Cli.Shell;
using Prison.Cli.Userland;
using Prison.Core;
using Prison.IpcScript;

namespace Prison.Cli;

/// <summary>
/// The <c>prison</c> command: no argument opens the interactive shell, <c>run FILE</c> runs a scenario
/// script, <c>ipc-script [FILE]</c> runs the IPC script language. Everything reads and writes the given
/// streams, never the console, so tests drive exactly what the binary runs.
/// </summary>
public static class PrisonApp
{
    /// <summary>
    /// True in the <c>prison</c> binary, whose streams are the process's console: Ctrl-C is then
    /// caught (SIGINT to the foreground command) and a terminal gets the line editor.
    /// </summary>
    public static bool UsesConsole { get; set; }

    /// <summary>The modules <c>ipc-script</c> loads before running a script.</summary>
    public static readonly IReadOnlyList<string> IpcModules = ["sysvshm", "sysvsem", "sysvmsg"];

    /// <summary>Runs the command line <paramref name="args"/>; returns the exit status.</summary>
    public static int Run(string[] args, TextReader input, TextWriter output, TextWriter error)
    {
        var verbose = new Option<bool>("--verbose", "-v")
        {
            Description = "Show the kernel's log (jail services KPI, modules) on standard error",
            Recursive = true,
        };
        var watchModules = new Option<bool>("--watch-modules")
        {
            Description = "Reload a module (kldunload, then kldload) when its file is replaced; each step is logged on standard error",
            Recursive = true,
        };
        var root = new RootCommand("Prison: FreeBSD jails, their services and System V IPC, in one process. Without a command: an interactive shell.");
        root.Options.Add(verbose);
        root.Options.Add(watchModules);
        root.SetAction(parse => WithKernel(parse.GetValue(verbose), error, parse.GetValue(watchModules), kernel =>
        {
            using var shell = new Shell.Shell(kernel, output, error);
            using var keyboard = Terminal.Attach(shell, input, output);
            return shell.Interactive(keyboard.LineSource);
        }));

        var file = new Argument<string>("file") { Description = "A .prison script: one command per line" };
        var keepGoing = new Option<bool>("--keep-going", "-k") { Description = "Run every line even after a command failed" };
        var timeout = new Option<string?>("--timeout", "-t")
        {
            Description = "Stop the script after SECONDS (a blocked call gets SIGALRM and returns EINTR); exit status 124",
            HelpName = "SECONDS",
        };
        timeout.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string?>() is { } text && !Shell.Shell.TryParseSeconds(text, out _))
                result.AddError($"--timeout: not a number of seconds greater than 0: {text}");
        });
        var run = new Command("run", "Run a scenario script, echoing each command behind its prompt");
        run.Arguments.Add(file);
        run.Options.Add(keepGoing);
        run.Options.Add(timeout);
        run.SetAction(parse =>
        {
            TimeSpan? limit = parse.GetValue(timeout) is { } text && Shell.Shell.TryParseSeconds(text, out var t) ? t : null;
            return RunScript(parse.GetValue(file)!, parse.GetValue(keepGoing), parse.GetValue(verbose), output, error, limit, parse.GetValue(watchModules));
        });
        root.Subcommands.Add(run);

        var scriptFile = new Argument<string?>("file") { Description = "The script (default: standard input)", Arity = ArgumentArity.ZeroOrOne };
        var timing = new Option<bool>("--timing")
        {
            Description = "Print where the time went on standard error: startup, kernel boot and kldload, reading, executing and writing the lines, shutdown",
        };
        var ipc = new Command("ipc-script", "Run the IPC script language as one root process on a fresh kernel");
        ipc.Arguments.Add(scriptFile);
        ipc.Options.Add(timing);
        ipc.SetAction(parse => RunIpcScript(parse.GetValue(scriptFile), parse.GetValue(verbose), input, output, error,
            parse.GetValue(timing) ? new IpcScriptClock(commandLineParsed: Stopwatch.GetTimestamp()) : null));
        root.Subcommands.Add(ipc);

        return root.Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
    }

    /// <summary>
    /// Runs a <c>.prison</c> script on a fresh kernel; with <paramref name="timeout"/>, a script still
    /// running then is stopped (status 124). Ctrl-C interrupts the running command and stops the script.
    /// With <paramref name="watchModules"/>, replaced module files are reloaded meanwhile.
    /// </summary>
    public static int RunScript(string path, bool keepGoing, bool verbose, TextWriter output, TextWriter error, TimeSpan? timeout = null, bool watchModules = false)
    {
        ArgumentNullException.ThrowIfNull(error);
        TextReader reader;
        try
        {
            reader = new StreamReader(path);
        }
        catch (Exception ex) when (FileErrors.IsFileError(ex))
        {
            error.WriteLine($"prison: {path}: {FileErrors.Describe(ex, path)}");
            return 66;
        }
        using (reader)
        {
            return WithKernel(verbose, error, watchModules, kernel =>
            {
                using var shell = new Shell.Shell(kernel, output, error) { ScriptDirectory = Path.GetDirectoryName(Path.GetFullPath(path)) };
                using var keyboard = Terminal.AttachInterruptOnly(shell);
                return shell.RunScript(reader, Path.GetFileName(path), keepGoing, echo: true, timeout);
            });
        }
    }

    /// <summary>
    /// The IPC script language (docs/ipc-script-language.md): a fresh kernel with the three SysV modules, one
    /// root process in the host, one result line per script line on <paramref name="output"/>. Calls
    /// that would sleep print <c>skip blocking</c>. Exits 0 when every line ran, 1 when a line was
    /// <c>bad ...</c>.
    /// </summary>
    public static int RunIpcScript(string? path, bool verbose, TextReader input, TextWriter output, TextWriter error, IpcScriptClock? clock = null)
    {
        ArgumentNullException.ThrowIfNull(error);
        TextReader reader = input;
        if (path is not null && path != "-")
        {
            try
            {
                reader = new StreamReader(path);
            }
            catch (Exception ex) when (FileErrors.IsFileError(ex))
            {
                error.WriteLine($"prison: {path}: {FileErrors.Describe(ex, path)}");
                return 66;
            }
        }
        // The console's writer flushes at every line (a write(2) per result line). A script read from a
        // file has no one waiting for each answer, so its results are buffered and flushed at the end, as
        // the C program's stdio does; a script on standard input keeps the line-by-line answers.
        var buffered = UsesConsole && !ReferenceEquals(reader, input)
            ? new StreamWriter(Console.OpenStandardOutput(), Console.OutputEncoding, 1 << 16) { AutoFlush = false }
            : null;
        try
        {
            return WithKernel(verbose, error, watchModules: false, kernel =>
            {
                foreach (var module in IpcModules)
                {
                    var loaded = kernel.Syscalls.KldLoad(kernel.Init, module);
                    if (!loaded.Ok)
                    {
                        error.WriteLine($"prison: kldload {module}: {loaded.ErrorText}");
                        return 69;
                    }
                }
                var proc = kernel.Syscalls.Fork(kernel.Init, "ipc-script").Value;
                try
                {
                    clock?.Booted();
                    return ScriptRunner.Run(reader, buffered ?? output, new PrisonBackend(kernel.Syscalls, proc), clock?.Script);
                }
                finally
                {
                    kernel.Syscalls.Exit(proc);
                    clock?.ScriptDone();
                }
            });
        }
        finally
        {
            buffered?.Dispose();
            if (!ReferenceEquals(reader, input))
                reader.Dispose();
            clock?.Report(error);
        }
    }

    /// <summary>
    /// Boots a kernel, runs <paramref name="body"/>, then shuts the kernel down before the logging, so
    /// the module unloads of the shutdown are still logged. With <paramref name="watchModules"/>, a
    /// <see cref="Prison.Core.Modules.ModuleWatcher"/> reloads replaced module files meanwhile.
    /// </summary>
    private static int WithKernel(bool verbose, TextWriter error, bool watchModules, Func<Kernel, int> body)
    {
        var kernel = Boot(verbose, error, out var logging, watchModules);
        var watcher = watchModules ? new Prison.Core.Modules.ModuleWatcher(kernel) : null;
        try
        {
            return body(kernel);
        }
        finally
        {
            watcher?.Dispose();
            kernel.Dispose();
            logging.Dispose();
        }
    }

    /// <summary>Boots a kernel, with its log on <paramref name="error"/> when <paramref name="verbose"/>.</summary>
    /// <remarks>With <paramref name="watchModules"/>, the reloads (category <c>Prison.ModuleWatcher</c>) are logged even without <paramref name="verbose"/>.</remarks>
    internal static Kernel Boot(bool verbose, TextWriter error, out IDisposable logging, bool watchModules = false)
    {
        ILoggerFactory factory = NullLoggerFactory.Instance;
        if (verbose || watchModules)
        {
            factory = LoggerFactory.Create(builder => builder
                .SetMinimumLevel(LogLevel.Warning)
                .AddFilter("Prison", verbose ? LogLevel.Debug : LogLevel.Warning)
                .AddFilter("Prison.ModuleWatcher", verbose ? LogLevel.Debug : LogLevel.Information)
                .AddProvider(new TextWriterLoggerProvider(error)));
        }
        logging = factory;
        return new Kernel(new KernelOptions { LoggerFactory = factory });
    }
}
