namespace Prison.Cli.Userland;

/// <summary>
/// The usage of one command: what <c>help CMD</c>, <c>CMD -h</c> and <c>CMD --help</c> print, and what the
/// command prints after <c>usage:</c> when its arguments are wrong.
/// </summary>
/// <param name="Name">The command name.</param>
/// <param name="Synopsis">The synopsis line(s), FreeBSD manual style, without <c>usage: </c>.</param>
/// <param name="Summary">One line saying what the command does.</param>
/// <param name="OwnsDashH">True when <c>-h</c> is one of the command's own options (df -h, sysctl -h), so only
/// <c>--help</c> asks for the usage.</param>
internal sealed record CommandUsage(string Name, string Synopsis, string Summary, bool OwnsDashH = false)
{
    private static readonly CommandUsage[] Table =
    [
        // Shell builtins.
        new("exit", "exit [status]", "Leave a jail shell (back to the shell outside), or end the session on the host."),
        new("help", "help [command]", "List the commands, or print one command's usage."),
        new("history", "history", "List the lines of the session (also kept in ~/.prison_history at a terminal)."),
        new("jobs", "jobs [-l] [%job ...]", "List the background jobs and their state; -l adds the pids."),
        new("fg", "fg [%job]", "Bring a background job to the foreground and wait for it (Ctrl-C interrupts it)."),
        new("wait", "wait [%job | pid ...]", "Wait for background jobs to finish; the status is the last job's."),
        new("kill", "kill [-s signal | -signal] %job | pid ...\nkill -l [status]", "Send a signal (default TERM) to a job or process: a blocked call returns EINTR; KILL ends it."),
        new("run", "run [-k] [-t seconds] file", "Run a .prison script in this session (-k: keep going after a failure; -t: a time limit)."),
        new(".", ". file", "Run a .prison script in this session, as run does."),
        // Jails.
        new("jail", "jail -c param=value ... | jail -m param=value ... | jail -r jail ...", "Create, modify or remove jails (jail(8))."),
        new("jls", "jls [-dhnNqsv] [-j jail] [--libxo json|xml|html] [--graph dot|mermaid] [param ...]", "List jails (jls(8)); --graph draws the jail tree with its IPC namespaces.", OwnsDashH: true),
        new("jexec", "jexec [-u username | -U username] jail [command ...]", "Run a command in a jail, or a shell in it when no command is given (jexec(8))."),
        // Modules and sysctl.
        new("kldload", "kldload [-nqv] file ...", "Load a kernel module (kldload(8))."),
        new("kldunload", "kldunload [-fv] -i id | name ...", "Unload a kernel module (kldunload(8))."),
        new("kldstat", "kldstat [-qv] [-n name] [--libxo json|xml|html]", "List the loaded modules (kldstat(8))."),
        new("sysctl", "sysctl [-adnNq] [--libxo json|xml|html] name[=value] ...", "Read or write kernel state (sysctl(8))."),
        // IPC.
        new("ipcs", "ipcs [-abcmopqst] [-j jail [-R]] [--libxo json|xml|html]", "Report System V IPC objects (ipcs(1))."),
        new("ipcrm", "ipcrm [-q msqid] [-m shmid] [-s semid] [-Q msgkey] [-M shmkey] [-S semkey] ...", "Remove System V IPC objects (ipcrm(1))."),
        new("shmget", "shmget KEY SIZE FLAGS", "shmget(2): create or look up a shared memory segment; prints ok $N."),
        new("shmat", "shmat REF FLAGS [ATT]", "shmat(2): attach a segment; prints ok @N."),
        new("shmdt", "shmdt ATT", "shmdt(2): detach an attachment."),
        new("shmctl", "shmctl REF IPC_STAT | IPC_RMID | IPC_SET UGID UGID MODE | INT", "shmctl(2)."),
        new("shmwrite", "shmwrite @N OFFSET TEXT", "Write TEXT into an attachment at OFFSET."),
        new("shmread", "shmread @N OFFSET LEN", "Read LEN bytes of an attachment at OFFSET."),
        new("semget", "semget KEY NSEMS FLAGS", "semget(2): create or look up a semaphore set; prints ok $N."),
        new("semop", "semop REF SOPS", "semop(2): SOPS is NUM:OP:FLAGS[,...] or -; sleeps until it can proceed (Ctrl-C: EINTR)."),
        new("semctl", "semctl REF SEMNUM GETVAL | GETNCNT | GETZCNT | GETPID | GETALL | IPC_STAT | IPC_RMID\nsemctl REF SEMNUM SETVAL INT | SETALL LIST | IPC_SET UGID UGID MODE | INT", "semctl(2)."),
        new("msgget", "msgget KEY FLAGS", "msgget(2): create or look up a message queue; prints ok $N."),
        new("msgsnd", "msgsnd REF TYPE TEXT FLAGS [SIZE]", "msgsnd(2): sleeps while the queue is full unless IPC_NOWAIT (Ctrl-C: EINTR)."),
        new("msgrcv", "msgrcv REF MAXSIZE MSGTYP FLAGS", "msgrcv(2): sleeps until a message comes unless IPC_NOWAIT; prints ok LEN TYPE TEXT."),
        new("msgctl", "msgctl REF IPC_STAT | IPC_RMID | IPC_SET UGID UGID MODE [QBYTES] | INT", "msgctl(2)."),
        new("setuid", "setuid UID", "Set the effective uid of the session's IPC process (0 returns to root)."),
        new("setgid", "setgid GID", "Set the effective gid of the session's IPC process."),
        new("limit", "limit NAME VALUE", "Set a kern.ipc limit (shmmax, shmmni, semmni, msgmnb, ...)."),
        // ZFS and mounts.
        new("zfs", "zfs command args ...\nwhere 'command' is one of: create destroy list get set snapshot rename mount unmount jail unjail", "ZFS datasets (zfs(8))."),
        new("zpool", "zpool create pool | zpool list", "ZFS pools (zpool(8))."),
        new("zfs-write", "zfs-write dataset path size", "The model's file write: charge SIZE bytes (K/M/G/T) to the dataset."),
        new("zfs-rm", "zfs-rm dataset path", "The model's file removal: release what zfs-write charged."),
        new("mount", "mount [-p] [--libxo json|xml|html] | mount -t fstype special node", "List or make mounts (mount(8))."),
        new("umount", "umount [-f] special | node ...", "Unmount (umount(8))."),
        new("df", "df [-hkT] [--libxo json|xml|html]", "Free space of the mounted file systems (df(1)).", OwnsDashH: true),
        // Jail descriptors, limits, users.
        new("jd", "jd [-u user] get [-o] jail | create param=value ... | list | attach fd [command ...] | remove fd\n| limit fd attach,remove,set|none | close fd | pass fd user | watch fd", "FreeBSD 15's jail descriptors."),
        new("rctl", "rctl [filter] | rctl -a rule | rctl -r filter | rctl -u filter", "Resource limits (rctl(8)).", OwnsDashH: true),
        new("pw", "pw useradd name [-u uid] [-g group] | pw groupadd name [-g gid] | pw usershow name", "Users and groups of the caller's jail (pw(8))."),
        new("snapshot", "snapshot [section]", "The kernel's state, every jail (host root only)."),
        // Orientation.
        new("whoami", "whoami", "The effective user's name."),
        new("id", "id [-u | -g] [-n]", "The user and group ids."),
        new("ps", "ps [--libxo json|xml|html]", "The processes the caller's jail can see."),
        new("hostname", "hostname", "The jail's host name."),
        new("kenv", "kenv [[-u] name[=value]]", "The kernel environment (tunables modules read at load)."),
        new("echo", "echo [-n] [string ...]", "Write the arguments."),
    ];

    private static readonly Dictionary<string, CommandUsage> ByName = Table.ToDictionary(u => u.Name, StringComparer.Ordinal);

    /// <summary>Every command, in help order.</summary>
    public static IReadOnlyList<CommandUsage> All => Table;

    /// <summary>The usage of <paramref name="name"/>, or null for an unknown command.</summary>
    public static CommandUsage? Find(string name) => ByName.GetValueOrDefault(name);

    /// <summary>What <c>help CMD</c> prints: the synopsis behind <c>usage:</c>, then the summary.</summary>
    public string HelpText()
    {
        var lines = Synopsis.Split('\n');
        var indented = string.Join("\n", lines.Select((l, i) => i == 0 ? "usage: " + l : "       " + l));
        return indented + "\n" + Summary;
    }
}
