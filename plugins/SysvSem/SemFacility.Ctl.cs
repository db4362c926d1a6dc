using System.Diagnostics;
using Prison.Core;
using Prison.Core.Ipc;
using Prison.Core.Ipc.Sysv;
using Prison.Core.Jails;
using Prison.Core.Procs;
using static Prison.Core.Ipc.IpcConstants;

namespace Prison.Plugins.SysvSem;

internal sealed partial class SemFacility
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
        if (!IndexInRange(semid))
            return Errno.EINVAL;
        if (cmd == IPC_RMID)
            return Rmid(p, root, semid);
        // FreeBSD copies the SETALL array in (EFAULT) before it validates the id.
        if (cmd == SETALL && arg!.Array is null)
            return Errno.EFAULT;
        if (Visible(semid, root) is not { } set)
            return Errno.EINVAL;
        lock (set.Gate)
        {
            // Looked up without a lock: a set removed since is gone (EINVAL).
            if (set.Removed)
                return Errno.EINVAL;
            var result = cmd switch
            {
                IPC_SET => Set(p, set, arg!.Buf),
                IPC_STAT => Stat(p, set, arg!),
                GETNCNT or GETPID or GETVAL or GETZCNT => GetOne(p, set, semnum, cmd),
                GETALL => GetAll(p, set, arg!),
                SETVAL => SetVal(p, set, semnum, arg!.Val),
                SETALL => SetAll(p, set, arg!.Array),
                _ => Errno.EINVAL,
            };
            AssertSetInvariants(set);
            return result;
        }
    }

    private SysResult<int> StatByIndex(Proc p, Jail root, int index, SemUn arg)
    {
        if (index < 0 || (index >= _limits.Semmni && _sets.AtIndex(index) is null))
            return Errno.EINVAL;
        if (_sets.AtIndex(index) is not { } set || !SysvNamespaces.CanSee(root, set.Creator))
            return Errno.EINVAL;
        lock (set.Gate)
        {
            if (set.Removed)
                return Errno.EINVAL;
            var denied = IpcPermissions.Check(p.Cred, set.Perm, IpcPermissions.IPC_R);
            if (denied != Errno.OK)
                return denied;
            arg.Buf = set.StatFor(p.Jail);
            return SysResult<int>.Success(set.Id);
        }
    }

    /// <summary>IPC_RMID: removal needs the module lock (the slot and key index change), then the set's.</summary>
    private SysResult<int> Rmid(Proc p, Jail root, int semid)
    {
        JailReference released;
        lock (_lock)
        {
            // Under the module lock the table is exact: a set found here is not removed.
            if (Visible(semid, root) is not { } set)
                return Errno.EINVAL;
            lock (set.Gate)
            {
                var denied = IpcPermissions.Check(p.Cred, set.Perm, IpcPermissions.IPC_M);
                if (denied != Errno.OK)
                    return denied;
                released = RemoveLocked(set);
            }
            AssertInvariants();
        }
        released.Dispose();
        return SysResult<int>.Success(0);
    }

    private SysResult<int> Set(Proc p, SemSet set, SemidDs buf)
    {
        Debug.Assert(set.Gate.IsHeldByCurrentThread, "Set runs under the set's lock (docs/locking.md)");
        var denied = IpcPermissions.Check(p.Cred, set.Perm, IpcPermissions.IPC_M);
        if (denied != Errno.OK)
            return denied;
        set.Uid = buf.Perm.Uid;
        set.Gid = buf.Perm.Gid;
        set.Mode = buf.Perm.Mode & IpcPermissions.ACCESSPERMS;
        set.Ctime = Now();
        return SysResult<int>.Success(0);
    }

    private SysResult<int> Stat(Proc p, SemSet set, SemUn arg)
    {
        Debug.Assert(set.Gate.IsHeldByCurrentThread, "Stat runs under the set's lock (docs/locking.md)");
        var denied = IpcPermissions.Check(p.Cred, set.Perm, IpcPermissions.IPC_R);
        if (denied != Errno.OK)
            return denied;
        arg.Buf = set.StatFor(p.Jail);
        return SysResult<int>.Success(0);
    }

    /// <summary>
    /// The checks of a command on one semaphore (GETVAL, GETPID, GETNCNT, GETZCNT, SETVAL), in FreeBSD's
    /// order: ipcperm with <paramref name="access"/> (EACCES), then the number (EINVAL past the set).
    /// </summary>
    private static Errno CheckOne(Proc p, SemSet set, int semnum, int access)
    {
        var denied = IpcPermissions.Check(p.Cred, set.Perm, access);
        if (denied != Errno.OK)
            return denied;
        return semnum < 0 || semnum >= set.Sems.Length ? Errno.EINVAL : Errno.OK;
    }

    private SysResult<int> GetOne(Proc p, SemSet set, int semnum, int cmd)
    {
        Debug.Assert(set.Gate.IsHeldByCurrentThread, "GetOne runs under the set's lock (docs/locking.md)");
        var denied = CheckOne(p, set, semnum, IpcPermissions.IPC_R);
        if (denied != Errno.OK)
            return denied;
        var sem = set.Sems[semnum];
        return SysResult<int>.Success(cmd switch
        {
            GETNCNT => sem.Ncnt,
            GETZCNT => sem.Zcnt,
            GETPID => sem.Pid,
            _ => sem.Value,
        });
    }

    private SysResult<int> GetAll(Proc p, SemSet set, SemUn arg)
    {
        Debug.Assert(set.Gate.IsHeldByCurrentThread, "GetAll runs under the set's lock (docs/locking.md)");
        var denied = IpcPermissions.Check(p.Cred, set.Perm, IpcPermissions.IPC_R);
        if (denied != Errno.OK)
            return denied;
        var values = new ushort[set.Sems.Length];
        for (var i = 0; i < values.Length; i++)
            values[i] = (ushort)set.Sems[i].Value;
        arg.Array = values;
        return SysResult<int>.Success(0);
    }

    private SysResult<int> SetVal(Proc p, SemSet set, int semnum, int value)
    {
        Debug.Assert(set.Gate.IsHeldByCurrentThread, "SetVal runs under the set's lock (docs/locking.md)");
        var denied = CheckOne(p, set, semnum, IpcPermissions.IPC_W);
        if (denied != Errno.OK)
            return denied;
        if (value < 0 || value > _limits.Semvmx)
            return Errno.ERANGE;
        // sempid is left alone, as FreeBSD does.
        set.Sems[semnum].Value = value;
        lock (_undoLock)
            _undo.Clear(set, semnum);
        WakeEligible(set);
        return SysResult<int>.Success(0);
    }

    private SysResult<int> SetAll(Proc p, SemSet set, ushort[]? values)
    {
        Debug.Assert(set.Gate.IsHeldByCurrentThread, "SetAll runs under the set's lock (docs/locking.md)");
        if (values is null)
            return Errno.EFAULT;
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
        lock (_undoLock)
            _undo.Clear(set, -1);
        WakeEligible(set);
        return error == Errno.OK ? SysResult<int>.Success(0) : error;
    }
}
