using System.Collections.Concurrent;
using Prison.Core.Jails;
using Prison.Core.Services;

namespace Prison.Core.Tests;

/// <summary>A jail service that records every callback, to check the KPI's promises.</summary>
internal sealed class ServiceRecorder
{
    private readonly Kernel _kernel;

    public ServiceRecorder(Kernel kernel, string name)
    {
        _kernel = kernel;
        Name = name;
    }

    public string Name { get; }

    public ConcurrentQueue<(string Event, int Jid)> Events { get; } = new();

    /// <summary>Set when a callback ran while the prison-list lock was held (must never happen).</summary>
    public bool CalledUnderListLock { get; private set; }

    /// <summary>Throws from create for this jid (or the k-th create when <see cref="FailOnCreateNumber"/> is set).</summary>
    public int? FailCreateForJid { get; set; }

    public int? FailOnCreateNumber { get; set; }

    public Errno CheckResult { get; set; }

    public Errno SetResult { get; set; }

    public Errno AttachResult { get; set; }

    private int _creates;

    public JailServiceDefinition<State> Definition(params JailParameterDefinition[] parameters) => new()
    {
        Name = Name,
        Parameters = parameters,
        Create = (jail, _) =>
        {
            Note();
            var n = Interlocked.Increment(ref _creates);
            if (jail.Id == FailCreateForJid || n == FailOnCreateNumber)
                throw new InvalidOperationException($"{Name}: create refused for jail {jail.Id}");
            Events.Enqueue(("create", jail.Id));
            return new State(jail.Id);
        },
        Destroy = (jail, state) =>
        {
            Note();
            Assert.True(state is null || state.Jid == jail.Id);
            Events.Enqueue(("destroy", jail.Id));
        },
        Check = (in JailMethodArgs<State> a) =>
        {
            Note();
            Events.Enqueue(("check", a.Jail.Id));
            if (CheckResult != Errno.OK)
                a.Params["errmsg"] = $"{Name} says no";
            return CheckResult;
        },
        Set = (in JailMethodArgs<State> a) =>
        {
            Note();
            Events.Enqueue(("set", a.Jail.Id));
            if (parameters.Length > 0 && a.Params[parameters[0].Name] is { } v && a.Data is { } s)
                s.Value = v;
            return SetResult;
        },
        Get = (in JailMethodArgs<State> a) =>
        {
            if (parameters.Length > 0 && a.Params.Contains(parameters[0].Name))
                a.Params[parameters[0].Name] = a.Data?.Value ?? "unset";
            return Errno.OK;
        },
        Attach = (in JailMethodArgs<State> a) =>
        {
            Note();
            Events.Enqueue(("attach", a.Jail.Id));
            return AttachResult;
        },
        Remove = (in JailMethodArgs<State> a) =>
        {
            Note();
            Events.Enqueue(("remove", a.Jail.Id));
            return Errno.OK;
        },
    };

    public int Count(string ev, int jid) => Events.Count(e => e.Event == ev && e.Jid == jid);

    public int[] Jids(string ev) => Events.Where(e => e.Event == ev).Select(e => e.Jid).ToArray();

    private void Note()
    {
        if (_kernel.Jails.IsListLockHeld)
            CalledUnderListLock = true;
    }

    internal sealed class State(int jid)
    {
        public int Jid { get; } = jid;

        public string? Value { get; set; }
    }
}
