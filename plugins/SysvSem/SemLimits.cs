using System.Globalization;
using Prison.Core;
using Prison.Core.Modules;
using Prison.Core.Sysctl;

namespace Prison.Plugins.SysvSem;

/// <summary>
/// FreeBSD's <c>struct seminfo</c>: the semaphore limits, exposed as <c>kern.ipc.sem*</c> sysctls with
/// FreeBSD's defaults. Host root may change them (each value is validated, EINVAL otherwise); a new value
/// applies to later calls only. Boot-time values may also come from the kernel environment (tunables).
/// </summary>
/// <remarks>Each field is read and written with volatile semantics, so a syscall that reads a limit
/// sees either the old or the new value, never a torn one; no lock is needed.</remarks>
internal sealed class SemLimits
{
    private int _semmni = 50;
    private int _semmns = 340;
    private int _semmnu = 150;
    private int _semmsl = 340;
    private int _semopm = 100;
    private int _semume = 50;
    private int _semvmx = 32767;
    private int _semaem = 16384;

    /// <summary>Number of semaphore identifiers (sets).</summary>
    public int Semmni => Volatile.Read(ref _semmni);

    /// <summary>Number of semaphores in the system.</summary>
    public int Semmns => Volatile.Read(ref _semmns);

    /// <summary>Number of undo structures (processes with undo entries) in the system.</summary>
    public int Semmnu => Volatile.Read(ref _semmnu);

    /// <summary>Semaphores per set.</summary>
    public int Semmsl => Volatile.Read(ref _semmsl);

    /// <summary>Operations per semop call.</summary>
    public int Semopm => Volatile.Read(ref _semopm);

    /// <summary>Undo entries per process.</summary>
    public int Semume => Volatile.Read(ref _semume);

    /// <summary>Maximum semaphore value.</summary>
    public int Semvmx => Volatile.Read(ref _semvmx);

    /// <summary>Maximum adjust-on-exit value (absolute).</summary>
    public int Semaem => Volatile.Read(ref _semaem);

    /// <summary>Registers the limit sysctls, after applying any <c>kern.ipc.sem*</c> tunables from the kenv.</summary>
    public void Register(ModuleContext context)
    {
        // Ranges follow the storage FreeBSD uses: indexes are 16 bits, semval is u_short, adjval and
        // un_cnt are short.
        Add(context, "semmni", "Number of semaphore identifiers", () => ref _semmni, 1, 0x10000);
        Add(context, "semmns", "Maximum number of semaphores in the system", () => ref _semmns, 1, int.MaxValue);
        Add(context, "semmnu", "Maximum number of undo structures in the system", () => ref _semmnu, 1, int.MaxValue);
        Add(context, "semmsl", "Max semaphores per id", () => ref _semmsl, 1, 0x10000);
        Add(context, "semopm", "Max operations per semop call", () => ref _semopm, 1, int.MaxValue);
        Add(context, "semume", "Max undo entries per process", () => ref _semume, 1, short.MaxValue);
        Add(context, "semvmx", "Semaphore maximum value", () => ref _semvmx, 1, ushort.MaxValue);
        Add(context, "semaem", "Adjust on exit max value", () => ref _semaem, 0, short.MaxValue);
    }

    private delegate ref int FieldRef();

    private static void Add(ModuleContext context, string name, string description, FieldRef field, int min, int max)
    {
        var oid = "kern.ipc." + name;
        if (context.Tunables.Get(oid) is { } tunable
            && long.TryParse(tunable, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var boot)
            && boot >= min && boot <= max)
        {
            Volatile.Write(ref field(), (int)boot);
        }
        context.RegisterSysctl(new SysctlInt(oid, description,
            _ => Volatile.Read(ref field()),
            value =>
            {
                if (value < min || value > max)
                    return Errno.EINVAL;
                Volatile.Write(ref field(), (int)value);
                return Errno.OK;
            }));
    }
}
