return Prison.Cli.PrisonApp.Run(args, Console.In, Console.Out, Console.Error);
