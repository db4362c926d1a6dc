using System.Globalization;
using Prison.Core;
using Prison.Core.Ipc;
using Prison.Core.Jails;
using Prison.Core.Modules;
using Prison.Core.Procs;
using Prison.Core.Sysctl;

namespace Prison.Plugins.SysvShm;

/// <summary>
/// The module's sysctls: the <c>kern.ipc.shm*</c> limits (host root may write them; bad values are
/// EINVAL), <c>kern.ipc.shmsegs</c> (what the caller may see), and the host's per-jail dumps
/// <c>kern.ipc.shmsegs.jail.JID</c> (the jail's own segments) and <c>kern.ipc.shmsegs.jail.JID.r</c>
/// (the jail's and its descendants', the "recursive flag" of the namespace patch review).
/// </summary>
internal static class ShmSysctls
{
    /// <summary>The object list's name.</summary>
    public const string SegmentList = "kern.ipc.shmsegs";

    /// <summary>The per-jail dumps' prefix.</summary>
    public const string JailDumpPrefix = SegmentList + ".jail.";

    /// <summary>The suffix of a recursive dump.</summary>
    public const string RecursiveSuffix = ".r";

    public static void Register(ModuleContext context, ShmSubsystem shm)
    {
        foreach (var tunable in ShmLimits.All)
        {
            context.RegisterSysctl(new SysctlInt("kern.ipc." + tunable.Name, tunable.Description,
                _ => shm.GetLimit(tunable), v => shm.SetLimit(tunable, v)));
        }
        context.RegisterSysctl(new SysctlOpaque<ShmSegmentInfo>(SegmentList,
            "Shared memory segments the caller can see (FreeBSD's sysctl_shmsegs)",
            caller => shm.List(caller, shm.Namespaces.RootOf(caller.Jail), _ => true)));
        var jails = context.Jails;
        context.RegisterSysctlBranch(JailDumpPrefix, () => AllJails(jails).SelectMany(jail => new SysctlNode[]
        {
            new JailDumpNode(shm, jails, jail.Id, recursive: false),
            new JailDumpNode(shm, jails, jail.Id, recursive: true),
        }));
    }

    private static IEnumerable<Jail> AllJails(JailLookup jails) => jails.List(jails.Prison0, includeDying: true).Prepend(jails.Prison0);

    /// <summary>
    /// One jail's segments as the caller sees them (keys and visibility as in <c>kern.ipc.shmsegs</c>).
    /// Only a caller in that jail or an ancestor may read it; for anyone else the jail does not exist (ENOENT).
    /// </summary>
    private sealed class JailDumpNode(ShmSubsystem shm, JailLookup jails, int jid, bool recursive)
        : SysctlNode(JailDumpPrefix + jid.ToString(CultureInfo.InvariantCulture) + (recursive ? RecursiveSuffix : ""),
            recursive ? "Shared memory segments of the jail and its descendants" : "Shared memory segments created in the jail",
            SysctlAccess.ReadOnly)
    {
        public override SysctlType Type => SysctlType.Opaque;

        public override SysResult<object> Read(Ucred caller)
        {
            if (jails.Find(jid) is not { } target || !caller.Jail.IsSelfOrAncestorOf(target))
                return SysResult<object>.Fail(Errno.ENOENT, $"unknown oid '{Name}'");
            IReadOnlyList<ShmSegmentInfo> list = shm.List(caller, shm.Namespaces.RootOf(caller.Jail),
                creator => recursive ? target.IsSelfOrAncestorOf(creator) : ReferenceEquals(creator, target));
            return SysResult<object>.Success(list);
        }
    }
}
