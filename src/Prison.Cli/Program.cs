using Prison.Core;

using var kernel = new Kernel();
Console.WriteLine($"prison: kernel up, module path {kernel.Modules.ModulePath}");
return 0;
