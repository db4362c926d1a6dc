using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Prison.Cli.Tests;

/// <summary>
/// The real binary at a real terminal: util-linux script(1) gives it a pseudo-terminal, and the bytes
/// written to script's input are what the keyboard would send (Ctrl-C is 0x03: the terminal turns it
/// into SIGINT). Skipped, with a message, where script(1) is missing.
/// </summary>
public partial class TerminalTests(ITestOutputHelper log)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public void Ctrl_c_interrupts_a_blocked_msgrcv_and_ctrl_d_leaves_jexec_then_the_session()
    {
        if (Unavailable() is { } why)
        {
            log.WriteLine($"SKIPPED: {why}");
            return;
        }
        var history = Path.Combine(Path.GetTempPath(), $"prison-history-{Guid.NewGuid():N}");
        using var term = new PseudoTerminal(history);
        try
        {
            // Keys typed before the program set up the terminal would be flushed with the old settings, so
            // the first line is retyped (after Ctrl-U) until the editor echoes it.
            term.Expect("#");
            var ready = false;
            for (var attempt = 0; attempt < 20 && !ready; attempt++)
            {
                term.Type("\u0015kldload sysvmsg");
                ready = term.WaitFor("# kldload sysvmsg", TimeSpan.FromSeconds(1));
            }
            Assert.True(ready, "the editor never echoed the first line:\n" + term.Screen);
            term.Type("\r");
            term.TypeLine("jail -c name=a persist sysvmsg=new");
            term.TypeLine("jexec a msgget 1 IPC_CREAT|0600");
            term.Expect("ok $0");
            // Ctrl-C is a signal, not a key in the input queue: pressed before the editor has taken the
            // line, it would discard the line instead. So wait until the line was accepted.
            term.TypeLine("jexec a msgrcv $0 64 0 0");
            term.ExpectCount(@"msgrcv \$0 64 0 0 *\r\n", 1);
            // The call sleeps; Ctrl-C is SIGINT to it. A Ctrl-C that lands before the command started is
            // read by the editor instead (it discards an empty line), so the user presses it again.
            var woke = false;
            for (var attempt = 0; attempt < 10 && !woke; attempt++)
            {
                Thread.Sleep(500);
                term.Type("\x03");
                woke = term.WaitFor("err EINTR", TimeSpan.FromSeconds(2));
            }
            Assert.True(woke, "Ctrl-C did not interrupt msgrcv:\n" + term.Screen);
            // The session survived: the jail and the queue are still there.
            term.Type("jls -n -j a name\r");
            term.Expect("name=a");
            // Ctrl-C at the prompt discards the line.
            term.Type("echo discarded");
            term.Expect("# echo discarded");
            term.Type("\u0003");
            term.TypeLine("echo kept");
            term.Expect("kept");
            Assert.DoesNotMatch(@"\r\ndiscarded\r\n", term.Screen);
            // Ctrl-U erases the line typed so far.
            term.Type("echo junk\u0015echo alive\r");
            term.Expect("alive");
            Assert.DoesNotContain("junkecho", term.Output, StringComparison.Ordinal);
            // Ctrl-D in a jail's shell returns to the host's.
            term.Type("jexec a\r");
            term.Expect("a#");
            term.Type("\x04");
            term.Type("sysctl -n security.jail.jailed\r");
            term.ExpectCount(@"security\.jail\.jailed *\r\n0\r\n", 1);
            // Up-arrow recalls the last line; Tab completes a command name.
            term.Type("\x1b[A\r");
            term.ExpectCount(@"security\.jail\.jailed *\r\n0\r\n", 2);
            term.Type("hostn\t\r");
            term.Expect("hostname");
            // Ctrl-D at the host's empty prompt ends the program, status 0.
            term.Type("\x04");
            Assert.Equal(0, term.WaitForExit());
            Assert.Contains("\necho alive\n", File.ReadAllText(history).ReplaceLineEndings("\n"), StringComparison.Ordinal);
        }
        finally
        {
            log.WriteLine(term.Screen);
            if (File.Exists(history))
                log.WriteLine("history: " + File.ReadAllText(history));
            File.Delete(history);
        }
    }

    private static string? Unavailable()
    {
        if (!OperatingSystem.IsLinux())
            return "script(1) of util-linux is needed for a pseudo-terminal";
        return File.Exists("/usr/bin/script") ? null : "/usr/bin/script (util-linux) is not installed";
    }

    /// <summary>
    /// <c>script -qfec "exec dotnet prison.dll" /dev/null</c>: the program on a pseudo-terminal. script(1) runs
    /// the command through <c>$SHELL -c</c>; the <c>exec</c> makes the program that shell's replacement, as a
    /// login shell's foreground job would be. Without it, a shell such as dash stays in the foreground process
    /// group, gets the Ctrl-C's SIGINT too, and exits 130 after the program ends 0.
    /// </summary>
    private sealed class PseudoTerminal : IDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _output = new();

        public PseudoTerminal(string historyFile)
        {
            var program = Path.Combine(AppContext.BaseDirectory, "prison.dll");
            var start = new ProcessStartInfo("/usr/bin/script", ["-qfec", $"exec dotnet {program}", "/dev/null"])
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.Environment["TERM"] = "xterm";
            start.Environment["HISTFILE"] = historyFile;
            start.Environment["COLUMNS"] = "120";
            _process = Process.Start(start)!;
            _process.ErrorDataReceived += (_, e) => Append(e.Data);
            // Read byte-wise rather than by line: the prompt has no newline.
            _ = Task.Run(() =>
            {
                var buffer = new char[4096];
                int n;
                while ((n = _process.StandardOutput.Read(buffer, 0, buffer.Length)) > 0)
                {
                    lock (_output)
                        _output.Append(buffer, 0, n);
                }
            });
            _process.BeginErrorReadLine();
        }

        /// <summary>Everything the terminal got, escape sequences included.</summary>
        public string Output
        {
            get
            {
                lock (_output)
                    return _output.ToString();
            }
        }

        /// <summary>The output without escape sequences.</summary>
        public string Screen => Ansi().Replace(Output, "");

        public void Type(string keys)
        {
            _process.StandardInput.Write(keys);
            _process.StandardInput.Flush();
            // One key at a time reaches the editor as a keyboard would (no paste detection).
            Thread.Sleep(150);
        }

        /// <summary>Types <paramref name="text"/>, waits until the editor has echoed it, then presses Return.</summary>
        public void TypeLine(string text)
        {
            Type(text);
            Expect(text);
            Type("\r");
        }

        public bool WaitFor(string text, TimeSpan timeout) =>
            SpinWait.SpinUntil(() => Screen.Contains(text, StringComparison.Ordinal), timeout);

        public void Expect(string text) =>
            Assert.True(WaitFor(text, Patience), $"`{text}' never appeared:\n{Screen}");

        public void ExpectCount(string pattern, int count) =>
            Assert.True(SpinWait.SpinUntil(() => Regex.Count(Screen, pattern) >= count, Patience), $"`{pattern}' did not match {count} times:\n{Screen}");

        public int WaitForExit()
        {
            Assert.True(_process.WaitForExit(Patience), "the program did not end:\n" + Screen);
            return _process.ExitCode;
        }

        public void Dispose()
        {
            if (!_process.HasExited)
                _process.Kill(entireProcessTree: true);
            _process.Dispose();
        }

        private void Append(string? line)
        {
            if (line is null)
                return;
            lock (_output)
                _output.Append(line).Append('\n');
        }
    }

    [GeneratedRegex(@"\x1b\[[0-9;?]*[A-Za-z]|\x1b[=>]")]
    private static partial Regex Ansi();
}
