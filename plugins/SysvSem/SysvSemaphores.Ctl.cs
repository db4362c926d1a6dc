using Prison.Core;
using Prison.Core.Ipc;
using Prison.Core.Ipc.Sysv;
using Prison.Core.Jails;
using Prison.Core.Procs;
using static Prison.Core.Ipc.IpcConstants;

namespace Prison.Plugins.SysvSem;

internal sealed partial class SysvSemaphores
{
    /// <summary>
    /// semctl(2), FreeBSD's <c>__semctl</c> / <c>kern_semctl</c>: EFAULT when a command that needs the
    /// argument gets none; ENOSYS; SEM_STAT by index; else EINVAL (index out of range), then per command
    /// EINVAL (no such visible set), EACCES (IPC_M for IPC_SET/IPC_RMID, read for the GET commands and
    /// IPC_STAT, alter for SETVAL/SETALL), EINVAL (semnum), ERANGE (a value above semvmx); an unknown
    /// command is EINVAL.
    /// </summary>
    public SysResult<int> SemCtl(Proc p, int semid, int semnum, int cmd, SemUn? arg)
    {
        if (arg is null && cmd is SEM_STAT or IPC_SET or IPC_STAT or GETALL or SETVAL or SETALL)
            return Errno.EFAULT;
        var root = RootOf(p);
        if (root is null)
            return Errno.ENOSYS;
        if (cmd == SEM_STAT)
            return StatByIndex(p, root, semid, arg!);
        Jail? released = null;
        SysResult<int> result;
        lock (_gate)
        {
            if (!IndexInRange(semid))
                return Errno.EINVAL;
            result = cmd switch
            {
                IPC_RMID => Rmid(p, root, semid, out released),
                IPC_SET => Set(p, root, semid, arg!.Buf),
                IPC_STAT => Stat(p, root, semid, arg!),
                GETNCNT or GETPID or GETVAL or GETZCNT => GetOne(p, root, semid, semnum, cmd),
                GETALL => GetAll(p, root, semid, arg!),
                SETVAL => SetVal(p, root, semid, semnum, arg!.Val),
                SETALL => SetAll(p, root, semid, arg!.Array),
                _ => Errno.EINVAL,
            };
        }
        released?.Release();
        return result;
    }

    private SysResult<int> StatByIndex(Proc p, Jail root, int index, SemUn arg)
    {
        lock (_gate)
        {
            if (index < 0 || (index >= _limits.Semmni && _sets.AtIndex(index) is null))
                return Errno.EINVAL;
            if (_sets.AtIndex(index) is not { } set || !SysvNamespaces.CanSee(root, set.Creator))
                return Errno.EINVAL;
            var denied = IpcPermissions.Check(p.Cred, set.Perm, IpcPermissions.IPC_R);
            if (denied != Errno.OK)
                return denied;
            arg.Buf = set.StatFor(p.Jail);
            return SysResult<int>.Success(set.Id);
        }
    }

    private SysResult<int> Rmid(Proc p, Jail root, int semid, out Jail? released)
    {
        released = null;
        if (Visible(semid, root) is not { } set)
            return Errno.EINVAL;
        var denied = IpcPermissions.Check(p.Cred, set.Perm, IpcPermissions.IPC_M);
        if (denied != Errno.OK)
            return denied;
        released = RemoveLocked(set);
        return SysResult<int>.Success(0);
    }

    private SysResult<int> Set(Proc p, Jail root, int semid, SemidDs buf)
    {
        if (Visible(semid, root) is not { } set)
            return Errno.EINVAL;
        var denied = IpcPermissions.Check(p.Cred, set.Perm, IpcPermissions.IPC_M);
        if (denied != Errno.OK)
            return denied;
        set.Uid = buf.Perm.Uid;
        set.Gid = buf.Perm.Gid;
        set.Mode = buf.Perm.Mode & IpcPermissions.ACCESSPERMS;
        set.Ctime = Now();
        return SysResult<int>.Success(0);
    }

    private SysResult<int> Stat(Proc p, Jail root, int semid, SemUn arg)
    {
        if (Visible(semid, root) is not { } set)
            return Errno.EINVAL;
        var denied = IpcPermissions.Check(p.Cred, set.Perm, IpcPermissions.IPC_R);
        if (denied != Errno.OK)
            return denied;
        arg.Buf = set.StatFor(p.Jail);
        return SysResult<int>.Success(0);
    }

    private SysResult<int> GetOne(Proc p, Jail root, int semid, int semnum, int cmd)
    {
        if (Visible(semid, root) is not { } set)
            return Errno.EINVAL;
        var denied = IpcPermissions.Check(p.Cred, set.Perm, IpcPermissions.IPC_R);
        if (denied != Errno.OK)
            return denied;
        if (semnum < 0 || semnum >= set.Sems.Length)
            return Errno.EINVAL;
        var sem = set.Sems[semnum];
        return SysResult<int>.Success(cmd switch
        {
            GETNCNT => sem.Ncnt,
            GETZCNT => sem.Zcnt,
            GETPID => sem.Pid,
            _ => sem.Value,
        });
    }

    private SysResult<int> GetAll(Proc p, Jail root, int semid, SemUn arg)
    {
        if (Visible(semid, root) is not { } set)
            return Errno.EINVAL;
        var denied = IpcPermissions.Check(p.Cred, set.Perm, IpcPermissions.IPC_R);
        if (denied != Errno.OK)
            return denied;
        var values = new ushort[set.Sems.Length];
        for (var i = 0; i < values.Length; i++)
            values[i] = (ushort)set.Sems[i].Value;
        arg.Array = values;
        return SysResult<int>.Success(0);
    }

    private SysResult<int> SetVal(Proc p, Jail root, int semid, int semnum, int value)
    {
        if (Visible(semid, root) is not { } set)
            return Errno.EINVAL;
        var denied = IpcPermissions.Check(p.Cred, set.Perm, IpcPermissions.IPC_W);
        if (denied != Errno.OK)
            return denied;
        if (semnum < 0 || semnum >= set.Sems.Length)
            return Errno.EINVAL;
        if (value < 0 || value > _limits.Semvmx)
            return Errno.ERANGE;
        // sempid is left alone, as FreeBSD does.
        set.Sems[semnum].Value = value;
        _undo.Clear(set, semnum);
        Wakeup(set);
        return SysResult<int>.Success(0);
    }

    private SysResult<int> SetAll(Proc p, Jail root, int semid, ushort[]? values)
    {
        // FreeBSD copies the user array in (EFAULT) before it validates the id.
        if (values is null)
            return Errno.EFAULT;
        if (Visible(semid, root) is not { } set)
            return Errno.EINVAL;
        if (values.Length < set.Sems.Length)
            return Errno.EFAULT;
        var denied = IpcPermissions.Check(p.Cred, set.Perm, IpcPermissions.IPC_W);
        if (denied != Errno.OK)
            return denied;
        var error = Errno.OK;
        var vmx = _limits.Semvmx;
        for (var i = 0; i < set.Sems.Length; i++)
        {
            if (values[i] > vmx)
            {
                // FreeBSD stores the values before the bad one, then still clears undo and wakes.
                error = Errno.ERANGE;
                break;
            }
            set.Sems[i].Value = values[i];
        }
        _undo.Clear(set, -1);
        Wakeup(set);
        return error == Errno.OK ? SysResult<int>.Success(0) : error;
    }
}
