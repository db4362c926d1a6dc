using System.Runtime.Versioning;
using BenchmarkDotNet.Attributes;
using Prison.Benchmarks.Infrastructure;
using Prison.Core.Ipc;
using Prison.IpcScript.Linux;
using static Prison.Core.Ipc.IpcConstants;

namespace Prison.Benchmarks;

/// <summary>
/// <c>shmget</c> of an existing key among 10,000 segments. Prison: 100 jails with their own namespace,
/// 100 segments each (keys 1..100 in every jail, the same key in many jails as the FreeBSD 11 SYSVIPC note has it), looked
/// up from a root process in the 50th jail. Linux: 10,000 segments in one private namespace (kernel.shmmni
/// raised to 32768 there; Linux has no jails, so the keys are all distinct), looking up the 5,000th.
/// Target: ratio at most 0.05.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(KernelIpcConfig))]
[SupportedOSPlatform("linux")]
public unsafe class ShmGetBenchmarks
{
    private const int Jails = 100;
    private const int PerJail = 100;
    private const int LookedUpKey = 50;
    private PrisonIpcKernel? _prison;
    private Prison.Core.Procs.Proc? _caller;
    private readonly List<int> _kernelIds = [];

    [GlobalSetup(Target = nameof(PrisonShmget))]
    public void SetupPrison()
    {
        _prison = new PrisonIpcKernel(new Dictionary<string, string> { ["kern.ipc.shmmni"] = "16384" }, "sysvshm");
        for (var j = 0; j < Jails; j++)
        {
            var root = _prison.RootIn(_prison.NewJail("j" + j));
            for (var key = 1; key <= PerJail; key++)
            {
                var r = _prison.Kernel.Syscalls.ShmGet(root, key, 4096, IPC_CREAT | 0x180);
                if (!r.Ok)
                    throw new InvalidOperationException($"shmget in j{j}: {r}");
            }
            if (j == Jails / 2)
                _caller = root;
        }
    }

    [GlobalSetup(Target = nameof(LinuxShmget))]
    public void SetupKernel()
    {
        PrivateIpcNamespace.Enter();
        PrivateIpcNamespace.SetKernelLimit("shmmni", 32768);
        for (var key = 1; key <= Jails * PerJail; key++)
        {
            var id = LinuxNative.ShmGet(key, 4096, 0x200 /* IPC_CREAT */ | 0x180);
            if (id < 0)
                throw new InvalidOperationException($"shmget #{key}: {LinuxErrno.Name(LinuxNative.Errno)}");
            _kernelIds.Add(id);
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _prison?.Dispose();
        foreach (var id in _kernelIds)
            LinuxNative.ShmCtl(id, LinuxNative.IPC_RMID, null);
    }

    [Benchmark(Baseline = true)]
    [KernelBaseline]
    public int LinuxShmget()
    {
        var id = LinuxNative.ShmGet(Jails * PerJail / 2, 4096, 0);
        return id >= 0 ? id : throw new InvalidOperationException("shmget: " + LinuxErrno.Name(LinuxNative.Errno));
    }

    [Benchmark]
    public int PrisonShmget()
    {
        var r = _prison!.Kernel.Syscalls.ShmGet(_caller!, LookedUpKey, 4096, 0);
        return r.Ok ? r.Value : throw new InvalidOperationException("shmget failed");
    }
}
