using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("Prison.SysvMsg.Tests")]
