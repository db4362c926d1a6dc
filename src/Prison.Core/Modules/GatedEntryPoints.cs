using Prison.Core.Procs;
using Prison.Core.Snapshots;
using Prison.Core.Sysctl;

namespace Prison.Core.Modules;

/// <summary>A module's sysctl node as the tree holds it: every read and write enters the module's entry counter.</summary>
internal sealed class GatedSysctlNode(SysctlNode inner, DrainCounter entries) : SysctlNode(inner.Name, inner.Description, inner.Access)
{
    public override SysctlType Type => inner.Type;

    public override SysResult<object> Read(Ucred caller)
    {
        if (!entries.TryEnter())
            return SysResult<object>.Fail(Errno.ENOENT, $"{Name}: the module is being unloaded");
        try
        {
            return inner.Read(caller);
        }
        finally
        {
            entries.Leave();
        }
    }

    public override Errno Write(Ucred caller, string value)
    {
        if (!entries.TryEnter())
            return Errno.ENOENT;
        try
        {
            return inner.Write(caller, value);
        }
        finally
        {
            entries.Leave();
        }
    }
}

/// <summary>A module's snapshot section as the kernel holds it: writing it enters the module's entry counter.</summary>
internal sealed class GatedSnapshotProvider(ISnapshotProvider inner, DrainCounter entries) : ISnapshotProvider
{
    public string Name { get; } = inner.Name;

    public void Write(SnapshotWriter writer)
    {
        if (!entries.TryEnter())
            return;
        try
        {
            inner.Write(writer);
        }
        finally
        {
            entries.Leave();
        }
    }
}
