using System.Globalization;
using Prison.Core.Descriptors;
using Prison.Core.Jails;

namespace Prison.Core.Tests.Syscalls;

/// <summary>close, closefrom, descriptor passing, cap_rights_limit, kern.proc.filedesc and the jail descriptor kevent filter.</summary>
public class FileSyscallTests
{
    private static int GetDesc(Kernel k, Procs.Proc p, string name)
    {
        var got = k.Syscalls.JailGet(p, new JailParams { ["name"] = name, ["desc"] = "-1" }, JailFlags.GetDesc);
        Assert.True(got.Ok, got.ToString());
        return int.Parse(got.Value["desc"]!, CultureInfo.InvariantCulture);
    }

    [Fact]
    public void Filedesc_lists_copies_of_the_callers_descriptors()
    {
        using var k = new Kernel();
        var jail = k.Create("pg");
        var p = k.Processes.Fork(k.Init).Value;
        var fd = GetDesc(k, p, "pg");

        var row = Assert.Single(k.Syscalls.FileList(p), f => f.Fd == fd);
        Assert.Equal("jail", row.Kind);
        Assert.Equal((jail.Id, "pg", JailState.Alive, false), (row.JailDesc!.Jid, row.JailDesc.Name, row.JailDesc.State, row.JailDesc.Owning));

        Assert.Equal(Errno.OK, k.Syscalls.CapRightsLimit(p, fd, JailDescRights.Attach));
        Assert.Equal(JailDescRights.Attach, Assert.Single(k.Syscalls.FileList(p), f => f.Fd == fd).JailDesc!.Rights);
        Assert.NotEqual(JailDescRights.Attach, row.JailDesc.Rights);
    }

    [Fact]
    public void A_passed_descriptor_is_the_same_file_under_a_new_number()
    {
        using var k = new Kernel();
        k.Create("pg");
        var from = k.Processes.Fork(k.Init).Value;
        var to = k.Processes.Fork(k.Init).Value;
        k.Syscalls.CloseFrom(to, 3);
        var fd = GetDesc(k, from, "pg");

        var passed = k.Syscalls.FdPass(from, fd, to);

        Assert.True(passed.Ok);
        Assert.Equal(k.Syscalls.FileList(from).Single(f => f.Fd == fd).FileId, k.Syscalls.FileList(to).Single(f => f.Fd == passed.Value).FileId);
        Assert.Equal(Errno.EBADF, k.Syscalls.FdPass(from, 99, to).Error);
    }

    [Fact]
    public void Bad_descriptors_are_EBADF_and_other_files_EINVAL()
    {
        using var k = new Kernel();
        k.Create("pg");
        var p = k.Processes.Fork(k.Init).Value;
        var fd = GetDesc(k, p, "pg");
        var tty = k.Syscalls.FileList(p).First(f => f.JailDesc is null).Fd;

        Assert.Equal(Errno.EBADF, k.Syscalls.Close(p, 99));
        Assert.Equal(Errno.EBADF, k.Syscalls.CapRightsLimit(p, 99, JailDescRights.Attach));
        Assert.Equal(Errno.EINVAL, k.Syscalls.CapRightsLimit(p, tty, JailDescRights.Attach));
        Assert.Equal(Errno.EBADF, k.Syscalls.JailDescWatch(p, 99).Error);
        Assert.Equal(Errno.EINVAL, k.Syscalls.JailDescWatch(p, tty).Error);
        Assert.Equal(Errno.EINVAL, k.Syscalls.CloseFrom(p, -1));

        using (var watch = k.Syscalls.JailDescWatch(p, fd).Value)
            Assert.False(watch.TryRead(out _));
        Assert.Equal(Errno.OK, k.Syscalls.Close(p, fd));
        Assert.Equal(Errno.EBADF, k.Syscalls.Close(p, fd));
        Assert.DoesNotContain(k.Syscalls.FileList(p), f => f.Fd == fd);
    }

    [Fact]
    public void Closefrom_keeps_the_lower_descriptors()
    {
        using var k = new Kernel();
        k.Create("pg");
        var p = k.Processes.Fork(k.Init).Value;
        GetDesc(k, p, "pg");
        GetDesc(k, p, "pg");
        var below = k.Syscalls.FileList(p).Where(f => f.Fd < 3).Select(f => f.Fd).ToArray();

        Assert.Equal(Errno.OK, k.Syscalls.CloseFrom(p, 3));

        Assert.Equal(below, k.Syscalls.FileList(p).Select(f => f.Fd));
    }
}
