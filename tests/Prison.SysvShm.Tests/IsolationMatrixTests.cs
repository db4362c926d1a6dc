using Prison.Core;
using Prison.Core.Ipc;
using Prison.Core.Jails;
using Prison.Core.Procs;
using static Prison.SysvShm.Tests.ShmTestKernel;

namespace Prison.SysvShm.Tests;

/// <summary>
/// The isolation matrix: a segment created (uid 770, key 5432001) in jail <c>p.a</c> whose
/// <c>sysvshm</c> is disable / inherit / new, seen from the same jail, its sibling <c>p.b</c> (same
/// mode as <c>p.a</c>), its parent <c>p</c> (new), its child <c>p.a.c</c> (inherit) and the host, by
/// key, by id, in <c>kern.ipc.shmsegs</c> and with IPC_RMID as root of the caller's jail.
/// For "disable", <c>p.a</c> and <c>p.b</c> were inherit when the segment was made, then disabled
/// (which disables <c>p.a.c</c> too); the segment survives because <c>p.a</c> had no namespace of its own.
/// </summary>
public class IsolationMatrixTests
{
    public enum Caller { Same, Sibling, Parent, Child, Host }

    public enum Op { ByKey, ById, Listing, Rmid }

    /// <summary>The expected answer: "ok", an errno name, "key=N" (listed with key N) or "hidden" (not listed).</summary>
    public static TheoryData<string, Caller, Op, string> Matrix => new()
    {
        { "new", Caller.Same, Op.ByKey, "ok" },
        { "new", Caller.Same, Op.ById, "ok" },
        { "new", Caller.Same, Op.Listing, "key=5432001" },
        { "new", Caller.Same, Op.Rmid, "ok" },
        { "new", Caller.Sibling, Op.ByKey, "ENOENT" },
        { "new", Caller.Sibling, Op.ById, "EINVAL" },
        { "new", Caller.Sibling, Op.Listing, "hidden" },
        { "new", Caller.Sibling, Op.Rmid, "EINVAL" },
        { "new", Caller.Parent, Op.ByKey, "ENOENT" },
        { "new", Caller.Parent, Op.ById, "ok" },
        { "new", Caller.Parent, Op.Listing, "key=0" },
        { "new", Caller.Parent, Op.Rmid, "ok" },
        { "new", Caller.Child, Op.ByKey, "ENOENT" },
        { "new", Caller.Child, Op.ById, "ok" },
        { "new", Caller.Child, Op.Listing, "key=0" },
        { "new", Caller.Child, Op.Rmid, "ok" },
        { "new", Caller.Host, Op.ByKey, "ENOENT" },
        { "new", Caller.Host, Op.ById, "ok" },
        { "new", Caller.Host, Op.Listing, "key=0" },
        { "new", Caller.Host, Op.Rmid, "ok" },

        { "inherit", Caller.Same, Op.ByKey, "ok" },
        { "inherit", Caller.Same, Op.ById, "ok" },
        { "inherit", Caller.Same, Op.Listing, "key=5432001" },
        { "inherit", Caller.Same, Op.Rmid, "ok" },
        { "inherit", Caller.Sibling, Op.ByKey, "ENOENT" },
        { "inherit", Caller.Sibling, Op.ById, "ok" },           // the classic allow.sysvipc leak
        { "inherit", Caller.Sibling, Op.Listing, "key=0" },
        { "inherit", Caller.Sibling, Op.Rmid, "ok" },
        { "inherit", Caller.Parent, Op.ByKey, "ENOENT" },
        { "inherit", Caller.Parent, Op.ById, "ok" },
        { "inherit", Caller.Parent, Op.Listing, "key=0" },
        { "inherit", Caller.Parent, Op.Rmid, "ok" },
        { "inherit", Caller.Child, Op.ByKey, "ENOENT" },
        { "inherit", Caller.Child, Op.ById, "ok" },
        { "inherit", Caller.Child, Op.Listing, "key=0" },
        { "inherit", Caller.Child, Op.Rmid, "ok" },
        { "inherit", Caller.Host, Op.ByKey, "ENOENT" },
        { "inherit", Caller.Host, Op.ById, "ok" },
        { "inherit", Caller.Host, Op.Listing, "key=0" },
        { "inherit", Caller.Host, Op.Rmid, "ok" },

        { "disable", Caller.Same, Op.ByKey, "ENOSYS" },
        { "disable", Caller.Same, Op.ById, "ENOSYS" },
        { "disable", Caller.Same, Op.Listing, "hidden" },
        { "disable", Caller.Same, Op.Rmid, "ENOSYS" },
        { "disable", Caller.Sibling, Op.ByKey, "ENOSYS" },
        { "disable", Caller.Sibling, Op.ById, "ENOSYS" },
        { "disable", Caller.Sibling, Op.Listing, "hidden" },
        { "disable", Caller.Sibling, Op.Rmid, "ENOSYS" },
        { "disable", Caller.Parent, Op.ByKey, "ENOENT" },
        { "disable", Caller.Parent, Op.ById, "ok" },
        { "disable", Caller.Parent, Op.Listing, "key=0" },
        { "disable", Caller.Parent, Op.Rmid, "ok" },
        { "disable", Caller.Child, Op.ByKey, "ENOSYS" },
        { "disable", Caller.Child, Op.ById, "ENOSYS" },
        { "disable", Caller.Child, Op.Listing, "hidden" },
        { "disable", Caller.Child, Op.Rmid, "ENOSYS" },
        { "disable", Caller.Host, Op.ByKey, "ENOENT" },
        { "disable", Caller.Host, Op.ById, "ok" },
        { "disable", Caller.Host, Op.Listing, "key=0" },
        { "disable", Caller.Host, Op.Rmid, "ok" },
    };

    [Theory]
    [MemberData(nameof(Matrix))]
    public void Segment_of_p_a(string mode, Caller caller, Op op, string expected)
    {
        using var k = Boot();
        var p = k.NewJail("p", "new", ("children.max", "10"));
        var createMode = mode == "new" ? "new" : "inherit";
        var a = k.NewJail("p.a", createMode, ("children.max", "2"));
        var b = k.NewJail("p.b", createMode);
        var c = k.NewJail("p.a.c", "inherit");
        var id = k.Create(k.Spawn(a, 770, 770), Key, MiB, Prison.Core.Ipc.IpcConstants.IPC_CREAT | 0x180);
        if (mode == "disable")
        {
            Assert.True(k.Update(a, "sysvshm", "disable").Ok);
            Assert.True(k.Update(b, "sysvshm", "disable").Ok);
        }
        var jail = caller switch
        {
            Caller.Same => a,
            Caller.Sibling => b,
            Caller.Parent => p,
            Caller.Child => c,
            _ => k.Prison0,
        };
        // The owner's uid for lookups (permissions pass), the jail's root for removal.
        var proc = k.Spawn(jail, op == Op.Rmid ? 0u : 770u, op == Op.Rmid ? 0u : 770u);
        Assert.Equal(expected, Answer(k, proc, id, op));
        if (op == Op.Rmid && expected == "ok")
            Assert.Equal("EINVAL", Answer(k, k.Init, id, Op.ById)); // gone for everyone
    }

    private static string Answer(Kernel k, Proc proc, int id, Op op)
    {
        switch (op)
        {
            case Op.ByKey:
                var got = k.Syscalls.ShmGet(proc, Key, 0, 0);
                return got.Ok ? (got.Value == id ? "ok" : $"other id {got.Value}") : got.Error.Name();
            case Op.ById:
                var stat = k.Stat(proc, id);
                return stat.Ok ? "ok" : stat.Error.Name();
            case Op.Listing:
                var listed = k.Segments(proc).SingleOrDefault(s => s.Id == id);
                return listed is null ? "hidden" : $"key={listed.Ds.Perm.Key}";
            default:
                var rm = k.Rmid(proc, id);
                return rm == Errno.OK ? "ok" : rm.Name();
        }
    }

    [Fact]
    public void The_matrix_setup_gives_the_modes_it_claims()
    {
        using var k = Boot();
        var p = k.NewJail("p", "new", ("children.max", "10"));
        var a = k.NewJail("p.a", "inherit", ("children.max", "2"));
        var c = k.NewJail("p.a.c", "inherit");
        Assert.True(k.Update(a, "sysvshm", "disable").Ok);
        var got = k.Syscalls.JailGet(k.Init, new JailParams { ["jid"] = c.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), ["sysvshm"] = null });
        Assert.Equal("disable", got.Value["sysvshm"]);
        Assert.Equal(p.Id, a.Parent!.Id);
    }
}
