Console.Error.WriteLine("ipc oracle: being written");
return 2;
