using Prison.Core;
using Prison.Core.Procs;

namespace Prison.IpcScript.Tests;

/// <summary>The Prison back end without the SysV modules: ENOSYS, credentials and limits.</summary>
public class PrisonBackendTests
{
    private static (Kernel Kernel, Proc Proc, IpcScriptSession Session) Boot()
    {
        var kernel = new Kernel();
        var proc = kernel.Processes.Spawn(Ucred.Root(kernel.Prison0), "ipc-script").Value;
        return (kernel, proc, new IpcScriptSession(new PrisonBackend(kernel.Syscalls, proc)));
    }

    [Theory]
    [InlineData("shmget 1 100 IPC_CREAT|0600")]
    [InlineData("semget 1 1 IPC_CREAT|0600")]
    [InlineData("msgget 1 IPC_CREAT|0600")]
    [InlineData("shmctl 65536 IPC_STAT")]
    [InlineData("semop 65536 0:1:0")]
    [InlineData("msgrcv 65536 10 0 0")]
    public void Calls_without_their_module_get_enosys(string line)
    {
        var (kernel, _, session) = Boot();
        using (kernel)
            Assert.Equal("err ENOSYS", session.Execute(line));
    }

    [Fact]
    public void Freebsd_lacks_the_linux_only_flags()
    {
        var (kernel, _, session) = Boot();
        using (kernel)
        {
            Assert.Equal("skip unsupported", session.Execute("msgrcv 65536 10 0 MSG_EXCEPT"));
            Assert.Equal("skip unsupported", session.Execute("shmat 65536 SHM_EXEC"));
            Assert.Equal("skip unsupported", session.Execute("shmget 1 10 SHM_NORESERVE"));
        }
    }

    [Fact]
    public void Setuid_changes_the_effective_uid_and_always_returns_to_root()
    {
        var (kernel, proc, session) = Boot();
        using (kernel)
        {
            Assert.Equal("ok", session.Execute("setuid 1000"));
            Assert.Equal(1000u, proc.Cred.Uid);
            Assert.Equal("ok", session.Execute("setuid 2000"));
            Assert.Equal(2000u, proc.Cred.Uid);
            Assert.Equal("ok", session.Execute("setgid 77"));
            Assert.Equal((2000u, 77u), (proc.Cred.Uid, proc.Cred.Gid));
            Assert.Equal("ok", session.Execute("setuid 0"));
            Assert.Equal(0u, proc.Cred.Uid);
        }
    }

    [Fact]
    public void A_process_that_never_was_root_cannot_become_root()
    {
        using var kernel = new Kernel();
        var proc = kernel.Processes.Spawn(new Ucred(770, 770, [], kernel.Prison0), "user").Value;
        var session = new IpcScriptSession(new PrisonBackend(kernel.Syscalls, proc));
        Assert.Equal("err EPERM", session.Execute("setuid 0"));
        Assert.Equal("err EPERM", session.Execute("setgid 5"));
        Assert.Equal((770u, 770u), (proc.Cred.Uid, proc.Cred.Gid));
    }

    [Fact]
    public void Limits_are_kern_ipc_sysctls()
    {
        var (kernel, proc, session) = Boot();
        using (kernel)
        {
            // Without the modules no kern.ipc limit exists.
            Assert.Equal("err ENOENT", session.Execute("limit shmmax 4096"));
            kernel.Sysctl.Add(new Prison.Core.Sysctl.SysctlInt("kern.ipc.shmmax", "test", _ => 1, v => v > 0 ? Errno.OK : Errno.EINVAL));
            Assert.Equal("ok", session.Execute("limit shmmax 4096"));
            Assert.Equal("err EINVAL", session.Execute("limit shmmax 0"));
            Assert.Equal("bad limit", session.Execute("limit kern.ipc.shmmax 1"));
            Assert.Equal("ok", session.Execute("setuid 5"));
            Assert.Equal("err EPERM", session.Execute("limit shmmax 4096"));
            Assert.Equal(5u, proc.Cred.Uid);
        }
    }

    [Fact]
    public void The_process_can_be_switched_between_commands()
    {
        var (kernel, proc, _) = Boot();
        using (kernel)
        {
            var other = kernel.Processes.Spawn(Ucred.Root(kernel.Prison0), "other").Value;
            var backend = new PrisonBackend(kernel.Syscalls, proc);
            var session = new IpcScriptSession(backend);
            backend.Proc = other;
            Assert.Equal("ok", session.Execute("setuid 9"));
            Assert.Equal((0u, 9u), (proc.Cred.Uid, other.Cred.Uid));
        }
    }
}
