using Prison.Core;
using Prison.Core.Procs;

namespace Prison.IpcScript.Tests;

/// <summary>The Prison back end with the real SysV modules (FreeBSD's answers where Linux differs).</summary>
public class PrisonBackendModuleTests
{
    private static (Kernel Kernel, IpcScriptSession Session) Boot()
    {
        var kernel = new Kernel();
        Assert.True(kernel.Modules.LoadInstance(new Prison.Plugins.SysvShm.SysvShmModule()).Ok);
        Assert.True(kernel.Modules.LoadInstance(new Prison.Plugins.SysvSem.SysvSemModule()).Ok);
        Assert.True(kernel.Modules.LoadInstance(new Prison.Plugins.SysvMsg.SysvMsgModule()).Ok);
        var proc = kernel.Processes.Spawn(Ucred.Root(kernel.Prison0), "ipc-script").Value;
        return (kernel, new IpcScriptSession(new PrisonBackend(kernel.Syscalls, proc)));
    }


    [Fact]
    public void Shared_memory_round_trip_with_freebsd_answers()
    {
        var (kernel, s) = Boot();
        using (kernel)
        {
            Assert.Equal("ok $0", s.Execute("shmget 5432001 100 IPC_CREAT|0600"));
            Assert.Equal("ok $0", s.Execute("shmget 5432001 0 0"));
            Assert.Equal("ok @0", s.Execute("shmat $0 0"));
            Assert.Equal("ok", s.Execute("shmwrite @0 0 pg"));
            Assert.Equal("ok @1", s.Execute("shmat $0 SHM_RDONLY"));
            Assert.Equal("ok pg", s.Execute("shmread @1 0 2"));
            Assert.Equal("sig SIGSEGV", s.Execute("shmwrite @1 0 x"));
            Assert.Equal("ok", s.Execute("shmdt @1"));
            Assert.Equal("err EINVAL", s.Execute("shmdt @1"));
            Assert.Equal("ok @2 @1+0", s.Execute("shmat $0 0 @1"));
            Assert.Equal("ok", s.Execute("shmctl $0 IPC_RMID"));
            Assert.Equal("ok key=0 uid=0 gid=0 cuid=0 cgid=0 mode=0600 dest=1 segsz=100 nattch=2 cpid=self lpid=self atime=set dtime=set ctime=set",
                s.Execute("shmctl $0 IPC_STAT"));
            // FreeBSD: the first id is (seq << 16) | index, never 0.
            Assert.Equal("err EINVAL", s.Execute("shmctl 0 IPC_STAT"));
        }
    }

    [Fact]
    public void Freebsd_only_answers_where_linux_differs()
    {
        var (kernel, s) = Boot();
        using (kernel)
        {
            Assert.Equal("ok $0", s.Execute("semget 1 2 IPC_CREAT|0600"));
            Assert.Equal("ok", s.Execute("semop $0 -"));                  // Linux: EINVAL
            Assert.Equal("ok $1", s.Execute("msgget 1 IPC_CREAT|0600"));
            Assert.Equal("ok", s.Execute("setuid 1000"));
            Assert.Equal("err EACCES", s.Execute("msgctl $1 IPC_RMID"));  // Linux: EPERM
            Assert.Equal("err EACCES", s.Execute("semctl $0 0 IPC_RMID"));
        }
    }

    [Fact]
    public void Blocking_calls_are_skipped_and_change_nothing()
    {
        var (kernel, s) = Boot();
        using (kernel)
        {
            Assert.Equal("ok $0", s.Execute("semget 1 1 IPC_CREAT|0600"));
            Assert.Equal("skip blocking", s.Execute("semop $0 0:-1:SEM_UNDO"));
            Assert.Equal("ok 0", s.Execute("semctl $0 0 GETNCNT"));
            Assert.Equal("ok $1", s.Execute("msgget 1 IPC_CREAT|0600"));
            Assert.Equal("skip blocking", s.Execute("msgrcv $1 10 0 0"));
            Assert.Equal("err ENOMSG", s.Execute("msgrcv $1 10 0 IPC_NOWAIT"));
        }
    }
}
