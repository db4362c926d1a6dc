using Prison.IpcScript.Language;

namespace Prison.IpcScript.Tests;

public class TextTests
{
    [Fact]
    public void Every_byte_round_trips_through_the_canonical_form()
    {
        var all = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        var encoded = IpcText.Encode(all);
        Assert.DoesNotContain(' ', encoded);
        Assert.DoesNotContain('"', encoded);
        Assert.DoesNotContain('#', encoded);
        Assert.True(IpcText.TryDecode(encoded, out var decoded));
        Assert.Equal(all, decoded);
    }

    [Theory]
    [InlineData("", "\"\"")]
    [InlineData(" ", "\\s")]
    [InlineData("\\", "\\\\")]
    [InlineData("a#b\"c", "a\\x23b\\x22c")]
    [InlineData("\n\t\0\u007f", "\\x0a\\x09\\x00\\x7f")]
    [InlineData("AZaz09!~", "AZaz09!~")]
    public void Canonical_forms(string text, string expected) =>
        Assert.Equal(expected, IpcText.Encode(text.Select(c => (byte)c).ToArray()));

    [Theory]
    [InlineData("\"\"", "")]
    [InlineData("a\\sb", "a b")]
    [InlineData("\\n\\t\\0\\\\", "\n\t\0\\")]
    [InlineData("\\xAb\\x0f", "\u00ab\u000f")]
    [InlineData("#in\"side", "#in\"side")]
    [InlineData("\"x\"", "\"x\"")]
    public void Escapes_decode(string token, string expected)
    {
        Assert.True(IpcText.TryDecode(token, out var bytes));
        Assert.Equal(expected.Select(c => (byte)c).ToArray(), bytes);
    }

    [Theory]
    [InlineData("\\")]
    [InlineData("a\\")]
    [InlineData("\\q")]
    [InlineData("\\x")]
    [InlineData("\\x1")]
    [InlineData("\\xg0")]
    [InlineData("\\S")]
    [InlineData("\u0100")]
    public void Bad_escapes_are_rejected(string token) => Assert.False(IpcText.TryDecode(token, out _));

    [Fact]
    public void Msgsnd_bodies_repeat_the_text_to_size()
    {
        var h = new SessionHarness().With("msgget 1 IPC_CREAT");
        Assert.Equal("ok", h.Run("msgsnd $0 1 abc 0 7"));
        Assert.Equal("abcabca"u8.ToArray(), h.Backend.LastBody);
        Assert.Equal(7UL, h.Backend.LastMsgsz);
        Assert.Equal("ok", h.Run("msgsnd $0 1 \"\" 0 3"));
        Assert.Equal(new byte[3], h.Backend.LastBody);
        Assert.Equal("ok", h.Run("msgsnd $0 1 xy 0 -1"));
        Assert.Equal("xy"u8.ToArray(), h.Backend.LastBody);
        Assert.Equal(ulong.MaxValue, h.Backend.LastMsgsz);
        Assert.Equal("ok", h.Run("msgsnd $0 1 xy 0"));
        Assert.Equal(2UL, h.Backend.LastMsgsz);
        Assert.Equal("ok 2 9 xy", h.Run("msgrcv $0 100 0 0"));
        h.Rejects("msgsnd $0 1 xy 0 1048577", "bad size");
        h.Rejects("msgsnd $0 1 x\\y 0", "bad text");
        h.Rejects("msgrcv $0 1048577 0 0", "bad size");
        Assert.Equal("ok 2 9 xy", h.Run("msgrcv $0 -1 0 0"));
        Assert.Equal("msgrcv 65536 18446744073709551615 0 0 0", h.Backend.Calls[^1]);
    }
}
