using System.Text;
using Prison.IpcScript;
using Prison.IpcScript.Linux;

// Prison.IpcOracle [FILE]: runs an IPC script (docs/ipc-script-language.md) against the Linux kernel.
// Run it in a fresh IPC namespace, as root: unshare --ipc dotnet Prison.IpcOracle.dll FILE
if (!OperatingSystem.IsLinux())
{
    Console.Error.WriteLine("ipc oracle: needs Linux");
    return 2;
}
if (args.Length > 1)
{
    Console.Error.WriteLine("usage: Prison.IpcOracle [FILE]");
    return 2;
}

// Scripts are bytes: Latin-1 maps every byte to one character, so TEXT arguments pass through unchanged.
var latin1 = Encoding.Latin1;
using var input = args.Length == 1 ? new StreamReader(args[0], latin1) : new StreamReader(Console.OpenStandardInput(), latin1);
using var output = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false)) { AutoFlush = false };
return ScriptRunner.Run(input, output, new LinuxBackend());
