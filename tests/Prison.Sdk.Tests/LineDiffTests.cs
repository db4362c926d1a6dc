using Prison.Testing;

namespace Prison.Sdk.Tests;

/// <summary>The snapshot line diff (DiffPlex): exact on large texts, line numbers of each side.</summary>
public class LineDiffTests
{
    [Fact]
    public void An_8000_line_snapshot_with_one_changed_and_one_inserted_line_shows_just_those()
    {
        var lines = Enumerable.Range(1, 8000).Select(i => $"jail {i} (j{i}): {i % 7} hits").ToList();
        var expected = string.Join('\n', lines) + "\n";
        var changed = new List<string>(lines);
        changed[4000] = "jail 4001 (j4001): changed";
        changed.Insert(7000, "jail new");
        var actual = string.Join('\n', changed) + "\n";

        var diff = LineDiff.Render(expected, actual).Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(
        [
            "  4000| jail 4000 (j4000): 3 hits",
            "- 4001| jail 4001 (j4001): 4 hits",
            "+ 4001| jail 4001 (j4001): changed",
            "  4002| jail 4002 (j4002): 5 hits",
            "@@",
            "  7000| jail 7000 (j7000): 0 hits",
            "+ 7001| jail new",
            "  7001| jail 7001 (j7001): 1 hits",
        ], diff);
    }

    [Fact]
    public void Same_lines_give_an_empty_diff_and_a_carriage_return_is_a_change()
    {
        Assert.Equal("", LineDiff.Render("a\nb\n", "a\nb\n"));
        Assert.Contains("+    1| a\r", LineDiff.Render("a\nb", "a\r\nb"), StringComparison.Ordinal);
    }
}
