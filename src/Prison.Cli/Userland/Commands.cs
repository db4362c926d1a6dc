using Prison.Cli.Shell;

namespace Prison.Cli.Userland;

/// <summary>The userland command table of the shell.</summary>
internal static class Commands
{
    /// <summary>What <c>help</c> prints.</summary>
    public const string HelpText = """
        Shell:     exit [status]  help  history  ! command (inverts the status)
        Jails:     jail -c name=N [param=value ...] [persist] | jail -m name=N param=value | jail -r NAME|JID
                   jls [-dnNv] [-j jail] [--json]    jexec [-u user] jail [command ...]
        Modules:   kldload [-nqv] name   kldunload [-fv] name   kldstat [-v] [-n name] [--json]
        Sysctl:    sysctl [-adnNq] [--json] name[=value] ...
        IPC:       ipcs [-abcmopqst] [-j jail [-R]] [--json]   ipcrm [-m id|-M key|-s id|-S key|-q id|-Q key]
                   shmget shmat shmdt shmctl shmwrite shmread semget semop semctl msgget msgsnd msgrcv msgctl
                   (the IPC script language, one operation per command)
        Limits:    rctl [filter]   rctl -a jail:NAME:RESOURCE:deny=AMOUNT   rctl -r filter   rctl -u jail:NAME
        Users:     pw useradd name [-u uid] [-g group]   pw groupadd name [-g gid]   pw usershow name
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
    };
}
