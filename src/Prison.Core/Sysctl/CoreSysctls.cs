using Prison.Core.Jails;

namespace Prison.Core.Sysctl;

/// <summary>The sysctl nodes core provides: <c>security.jail.*</c> and <c>kern.*</c>.</summary>
internal static class CoreSysctls
{
    public static void Register(Kernel kernel)
    {
        var tree = kernel.Sysctl;
        tree.Add(new SysctlString("kern.ostype", "Operating system type", _ => "Prison"));
        tree.Add(new SysctlString("kern.hostname", "Hostname of the caller's jail", c => c.Jail.HostName, kernel.Jails.SetHostname, SysctlAccess.PrisonWritable));
        tree.Add(new SysctlOpaque<Syscalls.KinfoProc>("kern.proc.all", "Return entire process table (the processes the caller's jail may see)", c => kernel.Syscalls.ProcAll(c)));
        tree.Add(new SysctlInt("security.jail.jailid", "Jail ID of the caller (0 on the host)", c => c.Jail.Id));
        tree.Add(new SysctlInt("security.jail.jailed", "Process in jail?", c => c.IsJailed ? 1 : 0));
        tree.Add(new SysctlInt("security.jail.mount_allowed",
            "Legacy default for new jails: processes in jail can mount/unmount jail-friendly file systems",
            _ => kernel.Jails.DefaultMountAllowed ? 1 : 0,
            v => v is 0 or 1 ? Set(() => kernel.Jails.DefaultMountAllowed = v == 1) : Errno.EINVAL));
        tree.Add(new SysctlInt("security.jail.children.max", "Maximum number of child jails of the caller's jail", c => c.Jail.ChildrenMax));
        tree.Add(new SysctlInt("security.jail.children.cur", "Current number of child jails of the caller's jail", c => c.Jail.ChildrenCur));
        tree.AddBranch("security.jail.param.", () => kernel.Jails.Parameters.All
            .Where(p => p.Name != "errmsg")
            .Select(p => (SysctlNode)new SysctlString("security.jail.param." + p.Name, p.Description, _ => TypeName(p))));
    }

    private static Errno Set(Action action)
    {
        action();
        return Errno.OK;
    }

    private static string TypeName(JailParameterDefinition p) => p.Type switch
    {
        JailParamType.Int => "int",
        JailParamType.Bool => "bool",
        JailParamType.Choice => "jailsys: " + string.Join(" | ", p.Choices),
        _ => "string",
    };
}
