using System.Collections.Frozen;

namespace Prison.IpcScript;

/// <summary>
/// A platform's values for the flag NAMEs of the language. A name the platform lacks maps to null,
/// and a line using it gives <c>skip unsupported</c>.
/// </summary>
public sealed class IpcPlatform
{
    /// <summary>Every flag NAME of the language (spec section 3).</summary>
    public static readonly IReadOnlyList<string> FlagNames =
    [
        "IPC_CREAT", "IPC_EXCL", "IPC_NOWAIT", "SHM_RDONLY", "SHM_RND", "SHM_REMAP", "SHM_EXEC",
        "SHM_HUGETLB", "SHM_NORESERVE", "SEM_UNDO", "MSG_NOERROR", "MSG_EXCEPT", "MSG_COPY",
    ];

    private readonly FrozenDictionary<string, int> _values;

    /// <summary>A platform with the given values; names of the language missing from <paramref name="values"/> are unsupported.</summary>
    public IpcPlatform(string name, IReadOnlyDictionary<string, int> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var unknown = values.Keys.Where(k => !FlagNames.Contains(k)).ToArray();
        if (unknown.Length > 0)
            throw new ArgumentException($"not flag names of the language: {string.Join(", ", unknown)}", nameof(values));
        Name = name;
        _values = values.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>The platform's name (for diagnostics).</summary>
    public string Name { get; }

    /// <summary>The value of SHM_RDONLY (the runner needs it to know which attachments refuse writes).</summary>
    public int ShmRdonly => _values.TryGetValue("SHM_RDONLY", out var v) ? v : 0;

    /// <summary>True when <paramref name="name"/> is a flag NAME of the language.</summary>
    public static bool IsFlagName(string name) => FlagNames.Contains(name);

    /// <summary>The platform's value of a flag NAME, or null when the platform lacks it.</summary>
    public int? Value(string name) => _values.TryGetValue(name, out var v) ? v : null;

    /// <summary>FreeBSD's values (Prison follows FreeBSD; MSG_EXCEPT, MSG_COPY, SHM_EXEC, SHM_HUGETLB and SHM_NORESERVE do not exist there).</summary>
    public static IpcPlatform FreeBsd { get; } = new("FreeBSD", new Dictionary<string, int>
    {
        ["IPC_CREAT"] = Prison.Core.Ipc.IpcConstants.IPC_CREAT,
        ["IPC_EXCL"] = Prison.Core.Ipc.IpcConstants.IPC_EXCL,
        ["IPC_NOWAIT"] = Prison.Core.Ipc.IpcConstants.IPC_NOWAIT,
        ["SHM_RDONLY"] = Prison.Core.Ipc.IpcConstants.SHM_RDONLY,
        ["SHM_RND"] = Prison.Core.Ipc.IpcConstants.SHM_RND,
        ["SHM_REMAP"] = Prison.Core.Ipc.IpcConstants.SHM_REMAP,
        ["SEM_UNDO"] = Prison.Core.Ipc.IpcConstants.SEM_UNDO,
        ["MSG_NOERROR"] = Prison.Core.Ipc.IpcConstants.MSG_NOERROR,
    });

    /// <summary>Linux's values (include/uapi/linux/ipc.h, shm.h, sem.h, msg.h).</summary>
    public static IpcPlatform Linux { get; } = new("Linux", new Dictionary<string, int>
    {
        ["IPC_CREAT"] = Convert.ToInt32("1000", 8),
        ["IPC_EXCL"] = Convert.ToInt32("2000", 8),
        ["IPC_NOWAIT"] = Convert.ToInt32("4000", 8),
        ["SHM_RDONLY"] = Convert.ToInt32("10000", 8),
        ["SHM_RND"] = Convert.ToInt32("20000", 8),
        ["SHM_REMAP"] = Convert.ToInt32("40000", 8),
        ["SHM_EXEC"] = Convert.ToInt32("100000", 8),
        ["SHM_HUGETLB"] = Convert.ToInt32("4000", 8),
        ["SHM_NORESERVE"] = Convert.ToInt32("10000", 8),
        ["SEM_UNDO"] = 0x1000,
        ["MSG_NOERROR"] = Convert.ToInt32("10000", 8),
        ["MSG_EXCEPT"] = Convert.ToInt32("20000", 8),
        ["MSG_COPY"] = Convert.ToInt32("40000", 8),
    });
}
