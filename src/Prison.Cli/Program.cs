Prison.Cli.IpcScriptClock.MainEntered = System.Diagnostics.Stopwatch.GetTimestamp();
Prison.Cli.PrisonApp.UsesConsole = true;
return Prison.Cli.PrisonApp.Run(args, Console.In, Console.Out, Console.Error);
