using Prison.Core;
using Prison.Core.Ipc;
using Prison.Core.Ipc.Sysv;
using Prison.Core.Procs;

namespace Prison.Core.Tests.Ipc;

/// <summary>The "key found" checks msgget and semget share: EEXIST before the access check, then ipcperm.</summary>
public class IpcPermissionsTests
{
    private static readonly IpcPerm OwnerOnly = new(Cuid: 1001, Cgid: 1001, Uid: 1001, Gid: 1001, Mode: 0x180 /* 0600 */, Seq: 0, Key: 42);

    [Fact]
    public void Get_of_an_existing_object_with_IPC_EXCL_is_EEXIST_even_for_a_caller_without_access()
    {
        using var k = new Kernel();
        var stranger = new Ucred(2002, 2002, [], k.Prison0);
        Assert.Equal(Errno.EEXIST, IpcPermissions.CheckGet(stranger, OwnerOnly, IpcConstants.IPC_CREAT | IpcConstants.IPC_EXCL | 0x180));
    }

    [Fact]
    public void Get_asking_for_bits_the_mode_denies_is_EACCES_and_the_owner_gets_OK()
    {
        using var k = new Kernel();
        var stranger = new Ucred(2002, 2002, [], k.Prison0);
        var owner = new Ucred(1001, 1001, [], k.Prison0);
        Assert.Equal(Errno.EACCES, IpcPermissions.CheckGet(stranger, OwnerOnly, 0x100 /* 0400 */));
        Assert.Equal(Errno.OK, IpcPermissions.CheckGet(stranger, OwnerOnly, 0));
        Assert.Equal(Errno.OK, IpcPermissions.CheckGet(owner, OwnerOnly, IpcConstants.IPC_CREAT | 0x180));
    }
}
