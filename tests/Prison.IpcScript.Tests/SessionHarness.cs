namespace Prison.IpcScript.Tests;

/// <summary>A session over a <see cref="FakeBackend"/> that runs lines one at a time.</summary>
internal sealed class SessionHarness
{
    public SessionHarness(IpcPlatform? platform = null)
    {
        Backend = new FakeBackend(platform);
        Session = new IpcScriptSession(Backend);
    }

    public FakeBackend Backend { get; }

    public IpcScriptSession Session { get; }

    public string? Run(string line) => Session.Execute(line);

    /// <summary>Runs setup lines, asserting each succeeded.</summary>
    public SessionHarness With(params string[] lines)
    {
        foreach (var line in lines)
            Assert.StartsWith("ok", Run(line));
        return this;
    }

    /// <summary>Asserts that <paramref name="line"/> gives <paramref name="expected"/> without calling the back end.</summary>
    public void Rejects(string line, string expected)
    {
        var before = Backend.Calls.Count;
        Assert.Equal(expected, Run(line));
        Assert.Equal(before, Backend.Calls.Count);
    }
}
