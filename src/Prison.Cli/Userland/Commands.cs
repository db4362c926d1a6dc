using Prison.Cli.Shell;
using Prison.Cli.Userland.JailConf;

namespace Prison.Cli.Userland;

/// <summary>The userland command table of the shell.</summary>
internal static class Commands
{
    /// <summary>What <c>help</c> prints.</summary>
    public const string HelpText = """
        Shell:     exit [status]  help [command]  history  ! command (inverts the status)  command &
                   jobs [-l]  fg [%job]  wait [%job|pid]  kill [-signal] %job|pid  run [-k] [-t secs] file  . file
                   (command -h or --help: its usage)
        Jails:     jail -c name=N [param=value ...] [persist] | jail -m name=N param=value | jail -r NAME|JID
                   jls [-dnNv] [-j jail] [--libxo fmt] [--graph]    jexec [-u user] jail [command ...]
        Modules:   kldload [-nqv] name   kldunload [-fv] name   kldstat [-v] [-n name] [--json]
        Sysctl:    sysctl [-adnNq] [--json] name[=value] ...
        IPC:       ipcs [-abcmopqst] [-j jail [-R]] [--json]   ipcrm [-m id|-M key|-s id|-S key|-q id|-Q key]
                   shmget shmat shmdt shmctl shmwrite shmread semget semop semctl msgget msgsnd msgrcv msgctl
                   (the IPC script language, one operation per command)
        ZFS:       zfs create [-p] [-o p=v] fs | destroy [-r] name | list [-Hpr] [-o props] [-t type] [name]
                   zfs get [-Hp] props|all name | set prop=value name | snapshot fs@snap | rename old new
                   zfs mount [fs] | unmount fs | jail jail fs | unjail jail fs    zpool create pool | list
                   zfs-write dataset path size   zfs-rm dataset path   (the model's file writes)
        Mounts:    mount [-p] [--json]   mount -t type special node   umount special|node   df [-hkT] [--json]
        Jail fds:  jd [-u user] get [-o] jail | create param=value ... | list | attach fd [command ...]
                   jd [-u user] remove fd | limit fd attach,remove,set | close fd | pass fd user | watch fd
        Limits:    rctl [filter]   rctl -a jail:NAME:RESOURCE:deny=AMOUNT   rctl -r filter   rctl -u jail:NAME
        Users:     pw useradd name [-u uid] [-g group]   pw groupadd name [-g gid]   pw usershow name
        Snapshot:  snapshot [section]   (the kernel's state, every jail; host root only)
        Other:     whoami  id [-u|-g] [-n]  ps  hostname  kenv [[-u] name[=value]]  echo [-n] text
        """;

    /// <summary>Every command by name.</summary>
    public static IReadOnlyDictionary<string, CommandHandler> All() => new Dictionary<string, CommandHandler>(StringComparer.Ordinal)
    {
        ["jail"] = JailCommand.Run,
        ["jls"] = JlsCommand.Run,
        ["jexec"] = JexecCommand.Run,
        ["kldload"] = KldCommands.Load,
        ["kldunload"] = KldCommands.Unload,
        ["kldstat"] = KldCommands.Stat,
        ["sysctl"] = SysctlCommand.Run,
        ["ipcs"] = IpcsCommand.Run,
        ["ipcrm"] = IpcrmCommand.Run,
        ["rctl"] = RctlCommand.Run,
        ["pw"] = PwCommand.Run,
        ["whoami"] = InfoCommands.Whoami,
        ["id"] = InfoCommands.Id,
        ["ps"] = InfoCommands.Ps,
        ["hostname"] = InfoCommands.Hostname,
        ["kenv"] = InfoCommands.Kenv,
        ["echo"] = InfoCommands.Echo,
        ["zfs"] = ZfsCommand.Run,
        ["zpool"] = ZpoolCommand.Run,
        ["zfs-write"] = ZfsFileCommands.Write,
        ["zfs-rm"] = ZfsFileCommands.Remove,
        ["mount"] = MountCommands.Mount,
        ["umount"] = MountCommands.Umount,
        ["df"] = MountCommands.Df,
        ["jd"] = context => context.Shell.Jd.Run(context),
        ["snapshot"] = SnapshotCommand.Run,
    };
}
