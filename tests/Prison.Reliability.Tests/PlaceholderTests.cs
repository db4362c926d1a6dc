namespace Prison.Reliability.Tests;

public class PlaceholderTests
{
    [Fact]
    public void Project_builds() => Assert.True(true);
}
