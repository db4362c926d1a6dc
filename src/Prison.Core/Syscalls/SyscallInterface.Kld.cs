using System.Globalization;
using Prison.Core.Modules;
using Prison.Core.Procs;

namespace Prison.Core.Syscalls;

// The kernel linker (sys/kern/kern_linker.c): kldload, kldunload, kldfind, kldnext, kldstat.
public sealed partial class SyscallInterface
{
    /// <summary>The kldstat id of the kernel itself.</summary>
    public const int KernelFileId = 1;

    /// <summary>
    /// kldload(2): loads a module by name (searched in <c>kern.module_path</c>) or path. EPERM unless
    /// root of prison0 (PRIV_KLD_LOAD); EEXIST when a module of that name is loaded; ENOENT when no file
    /// is found; ENOEXEC for a file that is not a module; EDOOFUS (with the reason) when the module's
    /// load failed and was undone.
    /// </summary>
    /// <returns>The new file id.</returns>
    public SysResult<int> KldLoad(Proc td, string file)
    {
        ArgumentNullException.ThrowIfNull(td);
        var loaded = _kernel.Modules.Load(td.Cred, file);
        return loaded.Ok ? SysResult<int>.Success(loaded.Value.Id) : SysResult<int>.Fail(loaded.Error, loaded.Message);
    }

    /// <summary>
    /// kldunload(2) / kldunloadf(2) with LINKER_UNLOAD_FORCE when <paramref name="force"/>: EPERM unless
    /// root of prison0 (checked first); ENOENT for no loaded file with that id; EBUSY while a loaded
    /// module depends on it or when the module refuses (a forced unload skips only the module's quiesce
    /// veto). EINVAL for the kernel itself.
    /// </summary>
    /// <returns>The id of the unloaded file.</returns>
    public SysResult<int> KldUnload(Proc td, int fileid, bool force = false)
    {
        ArgumentNullException.ThrowIfNull(td);
        if (Priv.Check(td.Cred, Privilege.KldUnload) != Errno.OK)
            return SysResult<int>.Fail(Errno.EPERM, "kldunload: not permitted");
        if (fileid == KernelFileId)
            return SysResult<int>.Fail(Errno.EINVAL, "the kernel cannot be unloaded");
        if (!_kernel.Modules.List().Any(m => m.Id == fileid && m.State == ModuleState.Loaded))
            return SysResult<int>.Fail(Errno.ENOENT, $"can't find file {fileid.ToString(CultureInfo.InvariantCulture)}");
        return _kernel.Modules.Unload(td.Cred, fileid.ToString(CultureInfo.InvariantCulture), force);
    }

    /// <summary>kldfind(2): the id of the loaded file named <paramref name="file"/> (<c>kernel</c> is 1); ENOENT when none is loaded.</summary>
    public SysResult<int> KldFind(Proc td, string file)
    {
        ArgumentNullException.ThrowIfNull(td);
        ArgumentNullException.ThrowIfNull(file);
        if (file == "kernel")
            return SysResult<int>.Success(KernelFileId);
        return _kernel.Modules.Find(file) is { } m ? SysResult<int>.Success(m.Id) : SysResult<int>.Fail(Errno.ENOENT, $"can't find file {file}");
    }

    /// <summary>
    /// kldnext(2): the id of the file after <paramref name="fileid"/> in load order, 0 for the first (the
    /// kernel), and 0 after the last. ENOENT when <paramref name="fileid"/> is not a listed file. Unloaded
    /// modules whose load context leaked stay listed, as kldstat shows them.
    /// </summary>
    public SysResult<int> KldNext(Proc td, int fileid)
    {
        ArgumentNullException.ThrowIfNull(td);
        if (fileid == 0)
            return SysResult<int>.Success(KernelFileId);
        var files = _kernel.Modules.List();
        if (fileid == KernelFileId)
            return SysResult<int>.Success(files.Count > 0 ? files[0].Id : 0);
        for (var i = 0; i < files.Count; i++)
        {
            if (files[i].Id == fileid)
                return SysResult<int>.Success(i + 1 < files.Count ? files[i + 1].Id : 0);
        }
        return SysResult<int>.Fail(Errno.ENOENT);
    }

    /// <summary>kldstat(2): a copy of the record of file <paramref name="fileid"/>; ENOENT when there is none. Any caller may ask, jailed or not, as in FreeBSD.</summary>
    public SysResult<KldFileStat> KldStat(Proc td, int fileid)
    {
        ArgumentNullException.ThrowIfNull(td);
        var files = _kernel.Modules.List();
        if (fileid == KernelFileId)
        {
            var version = typeof(Kernel).Assembly.GetName().Version ?? new Version(0, 0);
            return SysResult<KldFileStat>.Success(new KldFileStat(KernelFileId, 1 + files.Count(m => m.State == ModuleState.Loaded), "kernel", version, null, ModuleState.Loaded, [], []));
        }
        foreach (var m in files)
        {
            if (m.Id == fileid)
                return SysResult<KldFileStat>.Success(new KldFileStat(m.Id, m.References, m.Name, m.Version, m.Path, m.State, [.. m.Registrations], [.. m.DependsOn]));
        }
        return SysResult<KldFileStat>.Fail(Errno.ENOENT);
    }
}
